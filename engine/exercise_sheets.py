"""Practice sheets for a class: the exercises of ``engine.exercises`` as Markdown or LaTeX.

Without solutions a sheet holds the networks, the data and the questions and no number a student
is asked for; with solutions each question is followed by its answer (4 significant figures;
answers are graded at 3). The LaTeX form is a whole document that compiles with pdflatex.
"""

from __future__ import annotations

import json

from engine.activations import get_activation
from engine.exercises import Exercise
from engine.losses import get_loss
from engine.notation import Symbol, latex, plain, tex_escape
from engine.tables import Table, section_title

INTRO = ("Work each exercise by hand and give every answer to 3 significant figures. "
         "Observation 1 is the first row of the data; the loss R and the gradient dR/dθ are "
         "summed over all observations. z is a node's weighted input, a its activation, "
         "e = y - a the residual and delta(l)_j = dR/dz(l)_j for the observation asked about.")

_LATEX_HEAD = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath}
\usepackage[margin=2cm]{geometry}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
\begin{document}
"""


def render_sheet(exercises: list[Exercise], fmt: str = "markdown", solutions: bool = False) -> str:
    """The sheet as ``"markdown"``, ``"latex"`` or ``"json"`` (the JSON always holds the answers:
    it is for software, e.g. to grade or to load the network in the app)."""
    if fmt == "json":
        body = [e.to_json() for e in exercises]
        return json.dumps(body[0] if len(body) == 1 else {"exercises": body}, indent=1) + "\n"
    if fmt not in ("markdown", "latex"):
        raise ValueError(f"unknown sheet format {fmt!r}; use markdown, latex or json")
    seed = exercises[0].seed if exercises else 0
    title = f"Practice sheet, seed {seed}" + (" (with solutions)" if solutions else "")
    parts = [f"# {title}\n" if fmt == "markdown" else
             _LATEX_HEAD + f"\\section*{{{tex_escape(title)}}}\n", _prose(INTRO, fmt)]
    for exercise in exercises:
        parts.append(_exercise(exercise, fmt, solutions))
    if fmt == "latex":
        parts.append("\\end{document}\n")
    return "\n".join(parts)


def _prose(text: str, fmt: str) -> str:
    return (tex_escape(text).replace("θ", r"$\theta$") if fmt == "latex" else text) + "\n"


def _formula(text: str, fmt: str) -> str:
    return f"\\texttt{{{tex_escape(text)}}}" if fmt == "latex" else f"`{text}`"


def _exercise(e: Exercise, fmt: str, solutions: bool) -> str:
    net = e.network
    hidden = net.layers[0].activation
    sizes = "-".join(str(s) for s in net.sizes)
    act, loss = get_activation(hidden), get_loss(e.loss)
    name = tex_escape(e.loss) if fmt == "latex" else e.loss
    about = (f"A {sizes} network. Hidden layer{'s' if net.depth > 2 else ''}: {hidden}, "
             f"{_formula(act.formula, fmt)}, with derivative {_formula(act.derivative_formula, fmt)}; "
             f"output layer: identity. Loss {name}: {_formula(loss.formula, fmt)}, "
             f"with dR/da = {_formula(loss.derivative_formula, fmt)}. "
             f"{e.record.n_obs} observation{'s' if e.record.n_obs > 1 else ''}; step size lr = {e.lr:g}.")
    if fmt == "latex":
        about = about.replace("dR/da", r"$\partial R/\partial a$")
    parts = [section_title(f"Exercise {e.number}", fmt), about + "\n", _parameters(e, fmt),
             _data(e, fmt), _questions(e, fmt, solutions)]
    return "\n".join(parts)


def _parameters(e: Exercise, fmt: str) -> str:
    table = Table("Weights and biases", ["parameter", "value"], align="lr")
    for name, value in zip(e.network.param_names(), e.network.theta()):
        table.add(Symbol.parameter(e.network.param_ref(name)), float(value))
    return table.render(fmt)


def _data(e: Exercise, fmt: str) -> str:
    n_in = e.network.inputs
    header = ["observation"] + [plain(Symbol("x", None, (k,))) for k in range(1, n_in + 1)] + ["y"]
    tex = ["observation"] + [latex(Symbol("x", None, (k,))) for k in range(1, n_in + 1)] + ["$y$"]
    table = Table("Data", header, header_tex=tex)
    for i, (x, y) in enumerate(zip(e.inputs, e.targets), start=1):
        table.add(str(i), *(float(v) for v in x), float(y[0]))
    return table.render(fmt)


def _questions(e: Exercise, fmt: str, solutions: bool) -> str:
    if fmt == "markdown":
        lines = ["### Questions", ""]
        for n, q in enumerate(e.questions, start=1):
            lines.append(f"{n}. {plain(q.prompt)}" + (f"  \n   **Answer:** {plain(q.answer)}" if solutions else ""))
        return "\n".join(lines) + "\n"
    items = []
    for q in e.questions:
        answer = f" \\hfill \\textbf{{Answer:}} {latex(q.answer)}" if solutions else ""
        items.append(f"  \\item {latex(q.prompt)}{answer}")
    return ("\\paragraph{Questions}\n\\begin{enumerate}\n" + "\n".join(items) + "\n\\end{enumerate}\n")


__all__ = ["INTRO", "render_sheet"]
