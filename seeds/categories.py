"""arXiv subject codes as paper listings write them (``CL``), with their names.

Listings drop the archive prefix, so a bare code is looked up first among the
computer-science classes and then among the others the corpus uses.
"""

from __future__ import annotations

#: Bare code -> (full arXiv identifier, human name).
CATEGORIES: dict[str, tuple[str, str]] = {
    "AI": ("cs.AI", "Artificial Intelligence"),
    "AR": ("cs.AR", "Hardware Architecture"),
    "CC": ("cs.CC", "Computational Complexity"),
    "CE": ("cs.CE", "Computational Engineering, Finance, and Science"),
    "CG": ("cs.CG", "Computational Geometry"),
    "CL": ("cs.CL", "Computation and Language"),
    "CR": ("cs.CR", "Cryptography and Security"),
    "CV": ("cs.CV", "Computer Vision and Pattern Recognition"),
    "CY": ("cs.CY", "Computers and Society"),
    "DB": ("cs.DB", "Databases"),
    "DC": ("cs.DC", "Distributed, Parallel, and Cluster Computing"),
    "DL": ("cs.DL", "Digital Libraries"),
    "DM": ("cs.DM", "Discrete Mathematics"),
    "DS": ("cs.DS", "Data Structures and Algorithms"),
    "ET": ("cs.ET", "Emerging Technologies"),
    "FL": ("cs.FL", "Formal Languages and Automata Theory"),
    "GL": ("cs.GL", "General Literature"),
    "GR": ("cs.GR", "Graphics"),
    "GT": ("cs.GT", "Computer Science and Game Theory"),
    "HC": ("cs.HC", "Human-Computer Interaction"),
    "IR": ("cs.IR", "Information Retrieval"),
    "IT": ("cs.IT", "Information Theory"),
    "LG": ("cs.LG", "Machine Learning"),
    "LO": ("cs.LO", "Logic in Computer Science"),
    "MA": ("cs.MA", "Multiagent Systems"),
    "MM": ("cs.MM", "Multimedia"),
    "MS": ("cs.MS", "Mathematical Software"),
    "NA": ("cs.NA", "Numerical Analysis"),
    "NE": ("cs.NE", "Neural and Evolutionary Computing"),
    "NI": ("cs.NI", "Networking and Internet Architecture"),
    "OH": ("cs.OH", "Other Computer Science"),
    "OS": ("cs.OS", "Operating Systems"),
    "PF": ("cs.PF", "Performance"),
    "PL": ("cs.PL", "Programming Languages"),
    "RO": ("cs.RO", "Robotics"),
    "SC": ("cs.SC", "Symbolic Computation"),
    "SD": ("cs.SD", "Sound"),
    "SE": ("cs.SE", "Software Engineering"),
    "SI": ("cs.SI", "Social and Information Networks"),
    "SY": ("cs.SY", "Systems and Control"),
    # Outside cs.*: the ones AI listings cross-list into.
    "AS": ("eess.AS", "Audio and Speech Processing"),
    "IV": ("eess.IV", "Image and Video Processing"),
    "SP": ("eess.SP", "Signal Processing"),
    "ML": ("stat.ML", "Machine Learning (Statistics)"),
    "ME": ("stat.ME", "Methodology"),
    "TH": ("stat.TH", "Statistics Theory"),
    "AP": ("stat.AP", "Applications"),
    "CO": ("stat.CO", "Computation"),
    "OC": ("math.OC", "Optimization and Control"),
    "NC": ("q-bio.NC", "Neurons and Cognition"),
}

_BY_FULL = {full.casefold(): name for full, name in CATEGORIES.values()}


def category_name(code: str) -> str | None:
    """The subject name for ``CL`` or ``cs.CL``; None when the code is unknown."""
    code = code.strip()
    if code.upper() in CATEGORIES:
        return CATEGORIES[code.upper()][1]
    return _BY_FULL.get(code.casefold())


def category_id(code: str) -> str | None:
    """The full arXiv identifier (``cs.CL``) for a bare code."""
    entry = CATEGORIES.get(code.strip().upper())
    return entry[0] if entry else None
