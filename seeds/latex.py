"""Enough LaTeX-to-Unicode to read arXiv abstracts in a terminal.

Abstracts keep their LaTeX as written; this runs at display time and when
texts are compared. It handles the inline math that abstracts actually use
and leaves anything it does not know as written, so nothing becomes unreadable.
"""

from __future__ import annotations

import re


def _pairs(table: str) -> dict[str, str]:
    """``name symbol name symbol …`` -> {name: symbol}; ␣ stands for a space."""
    words = table.split()
    return {
        name: symbol.replace("␣", " ") for name, symbol in zip(words[::2], words[1::2], strict=True)
    }


#: Control words and their Unicode rendering (Greek letters included).
_SYMBOLS = _pairs(
    r"""
leftrightarrow ↔ Leftrightarrow ⇔ rightarrow → to → leftarrow ← gets ← Rightarrow ⇒
Leftarrow ⇐ mapsto ↦ implies ⟹ iff ⟺ uparrow ↑ downarrow ↓ times × cdot · cdots ⋯
ldots … dots … pm ± mp ∓ div ÷ ast ∗ star ⋆ circ ∘ bullet • leq ≤ le ≤ geq ≥ ge ≥ neq ≠
ne ≠ approx ≈ sim ∼ simeq ≃ equiv ≡ propto ∝ ll ≪ gg ≫ infty ∞ partial ∂ nabla ∇ sum ∑
prod ∏ int ∫ in ∈ notin ∉ subset ⊂ subseteq ⊆ cup ∪ cap ∩ forall ∀ exists ∃ neg ¬ land ∧
lor ∨ emptyset ∅ ell ℓ hbar ℏ top ᵀ prime ′ degree ° dagger † langle ⟨ rangle ⟩ lVert ‖
rVert ‖ Vert ‖ mid | log log ln ln exp exp min min max max arg arg sin sin cos cos
lim lim sup sup inf inf det det quad ␣ qquad ␣ textbackslash \ S § P ¶ copyright ©
textdegree ° euro € pounds £ alpha α beta β gamma γ delta δ epsilon ϵ varepsilon ε
zeta ζ eta η theta θ vartheta ϑ iota ι kappa κ lambda λ mu μ nu ν xi ξ pi π varpi ϖ
rho ρ varrho ϱ sigma σ varsigma ς tau τ upsilon υ phi ϕ varphi φ chi χ psi ψ omega ω
Gamma Γ Delta Δ Theta Θ Lambda Λ Xi Ξ Pi Π Sigma Σ Upsilon Υ Phi Φ Psi Ψ Omega Ω
"""
)

_ESCAPES = {
    "%": "%",
    "&": "&",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    " ": " ",
    "|": "‖",
}
_OPEN, _CLOSE = "\ue000", "\ue001"  # braces of unknown commands, kept as written
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
_STYLE = {
    "mathrm",
    "mathbf",
    "mathit",
    "mathsf",
    "mathtt",
    "text",
    "textrm",
    "textbf",
    "textit",
    "texttt",
    "emph",
    "operatorname",
    "boldsymbol",
    "bm",
    "mbox",
    "rm",
}
_SUPER = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUB = str.maketrans("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ")
_SUPER_OK = set("0123456789+-=()ni")
_SUB_OK = set("0123456789+-=()aeoxhklmnpst")

# Pandoc's rule: an opening $ is followed by a non-space, a closing $ follows a
# non-space and is not followed by a digit, so "$5 and $10" stays money.
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(?=\S)((?:\\.|[^$\\])+?)(?<=\S)\$(?!\d)", re.DOTALL)
_BRACED = r"\{((?:[^{}]|\{[^{}]*\})*)\}"
_STYLE_CMD = re.compile(r"\\([A-Za-z]+)\s*" + _BRACED)
_SQRT = re.compile(r"\\sqrt\s*(?:" + _BRACED + r"|(\\?\w))")
_FRAC = re.compile(r"\\frac\s*" + _BRACED + r"\s*" + _BRACED)
_SCRIPT = re.compile(r"([\^_])\s*(?:" + _BRACED + r"|(\\?[^\s{}\\]))")
_COMMAND = re.compile(r"\\([A-Za-z]+)|\\([%&$#_{},;:! |])")
_TIGHT = re.compile(r"\s*([×·])\s*")
_BRACES = re.compile(r"(?<!\\)[{}]")
_TILDE = re.compile(r"(?<![\\\s])~(?!\s)")
_TEXT_COMMAND = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])|\\([%&$#_{}])")


def _symbol(match: re.Match[str], math: bool) -> str:
    name, escape = match.group(1), match.group(2)
    if escape is not None:
        return _ESCAPES.get(escape, escape) if math or escape in "%&$#_{}" else match.group(0)
    return _SYMBOLS.get(name, match.group(0))


def _style(match: re.Match[str]) -> str:
    name, body = match.group(1), match.group(2)
    if name in ("mathbb", "mathbbm") and body.strip() in _BLACKBOARD:
        return _BLACKBOARD[body.strip()]
    if name in _STYLE or name in ("mathbb", "mathcal", "mathfrak", "mathscr"):
        return body
    if name in _SYMBOLS or name in ("frac", "sqrt"):
        return match.group(0)
    # Unknown: keep it as written, braces protected from the clean-up below.
    return f"\\{name}{_OPEN}{body}{_CLOSE}"


def _script(match: re.Match[str]) -> str:
    mark, body = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
    body = _COMMAND.sub(lambda m: _symbol(m, True), body).strip()
    allowed, table = (_SUPER_OK, _SUPER) if mark == "^" else (_SUB_OK, _SUB)
    if body and set(body) <= allowed:
        return body.translate(table)
    if body == "ᵀ":
        return body
    return mark + (body if body.isalnum() else f"({body})")


def _sqrt(match: re.Match[str]) -> str:
    body = match.group(1) if match.group(1) is not None else match.group(2)
    body = _COMMAND.sub(lambda m: _symbol(m, True), body)
    return "√" + (body if len(body) == 1 or body.isalnum() else f"({body})")


def _group(body: str) -> str:
    return body if body.isalnum() else f"({body})"


def _math(source: str) -> str:
    text = source
    for _ in range(3):  # nested styles such as \mathrm{\mathbf{x}}
        text = _STYLE_CMD.sub(_style, text)
    text = _FRAC.sub(lambda m: f"{_group(m.group(1))}/{_group(m.group(2))}", text)
    text = _SQRT.sub(_sqrt, text)
    text = _SCRIPT.sub(_script, text)
    text = _COMMAND.sub(lambda m: _symbol(m, True), text)
    text = _TIGHT.sub(r"\1", text.replace("\\left", "").replace("\\right", ""))
    return _BRACES.sub("", text)


def _text(text: str) -> str:
    if "\\" in text:
        text = _STYLE_CMD.sub(_style, text)
        text = _TEXT_COMMAND.sub(lambda m: _symbol(m, False), text)
    return _TILDE.sub(" ", text) if "~" in text else text


def latex_to_unicode(text: str) -> str:
    """Render inline LaTeX as plain Unicode; unknown commands stay as written."""
    if "\\" not in text and "$" not in text and "~" not in text:
        return text
    out: list[str] = []
    last = 0
    for match in _MATH.finditer(text):
        out.append(_text(text[last : match.start()]))
        body = match.group(1) if match.group(1) is not None else match.group(2)
        out.append(_math(body))
        last = match.end()
    out.append(_text(text[last:]))
    return "".join(out).replace(_OPEN, "{").replace(_CLOSE, "}")
