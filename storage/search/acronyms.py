"""Acronyms: "ppo" should find "Proximal Policy Optimization Algorithms".

An acronym the text spells out, e.g. "proximal policy optimization (PPO)",
is learned from the library as it is indexed; a few dozen that AI papers use
without defining them in their titles are built in. A query term that is a
known acronym also matches titles containing its expansion.
"""

from __future__ import annotations

from storage.search.normalize import fold

__all__ = ["BUILTIN", "Acronyms", "find_definitions"]

_STOPWORDS = frozenset(
    {"of", "from", "for", "the", "and", "in", "on", "to", "with", "a", "an", "via"}
)

BUILTIN = {
    "ppo": ["proximal policy optimization"],
    "trpo": ["trust region policy optimization"],
    "rlhf": ["reinforcement learning from human feedback"],
    "rl": ["reinforcement learning"],
    "llm": ["large language model", "large language models"],
    "lm": ["language model", "language models"],
    "gan": ["generative adversarial network", "generative adversarial networks",
            "generative adversarial nets"],
    "vae": ["variational autoencoder", "variational autoencoders", "variational auto encoder"],
    "cot": ["chain of thought"],
    "moe": ["mixture of experts"],
    "dpo": ["direct preference optimization"],
    "rag": ["retrieval augmented generation"],
    "nlp": ["natural language processing"],
    "cnn": ["convolutional neural network", "convolutional neural networks"],
    "rnn": ["recurrent neural network", "recurrent neural networks"],
    "lstm": ["long short term memory"],
    "vit": ["vision transformer", "vision transformers"],
    "sae": ["sparse autoencoder", "sparse autoencoders"],
    "gpt": ["generative pre trained transformer", "generative pretrained transformer"],
    "ntk": ["neural tangent kernel"],
    "ddpm": ["denoising diffusion probabilistic models"],
    "sgd": ["stochastic gradient descent"],
    "mcts": ["monte carlo tree search"],
    "agi": ["artificial general intelligence"],
    "asr": ["automatic speech recognition"],
    "icl": ["in context learning"],
    "sft": ["supervised fine tuning"],
    "rm": ["reward model", "reward models"],
    "vpt": ["video pretraining", "video pre training"],
    "nmt": ["neural machine translation"],
    "qa": ["question answering"],
    "mdp": ["markov decision process"],
    "dqn": ["deep q network", "deep q networks"],
}  # fmt: skip


def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in fold(text)).split()


class Acronyms:
    """Acronym → set of expansions (tuples of normalised words)."""

    def __init__(self) -> None:
        self._map: dict[str, set[tuple[str, ...]]] = {
            acr: {tuple(_words(p)) for p in phrases} for acr, phrases in BUILTIN.items()
        }

    def learn(self, text: str) -> None:
        if "(" not in text:
            return
        for acronym, words in find_definitions(text):
            self._map.setdefault(acronym, set()).add(words)

    def expansions(self, term: str) -> set[tuple[str, ...]]:
        return self._map.get(term, set())


def find_definitions(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """``(acronym, words)`` for each "Spelled Out Words (SOW)" in ``text``."""
    out = []
    i = text.find("(")
    while i >= 0:
        j = text.find(")", i + 1, i + 12)
        if j > i + 2:
            found = _definition(text, i, text[i + 1 : j])
            if found:
                out.append(found)
        i = text.find("(", i + 1)
    return out


def _definition(text: str, paren: int, inside: str) -> tuple[str, tuple[str, ...]] | None:
    if not inside.isalnum() or not inside[0].isupper() or sum(c.isupper() for c in inside) < 2:
        return None
    letters = inside[:-1] if inside.endswith("s") else inside
    acronym = fold(letters)
    if not acronym.isalpha():
        return None
    before = _words(text[max(0, paren - 160) : paren])
    k, j = len(acronym) - 1, len(before) - 1
    while k >= 0 and j >= 0:
        word = before[j]
        if word[0] == acronym[k]:
            k -= 1
        elif word not in _STOPWORDS:
            return None
        j -= 1
    if k >= 0:
        return None
    words = tuple(before[j + 1 :])
    return (acronym, words) if len(words) >= 2 else None
