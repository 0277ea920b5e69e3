"""Writers with byte-identical output for identical inputs: Markdown + LaTeX tables,
PNG + PDF figures (no timestamps, no software versions in the metadata)."""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

PNG_METADATA = {"Software": None}
PDF_METADATA = {"CreationDate": None, "Producer": None, "Creator": None}
LATEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                 "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                 "^": r"\textasciicircum{}"}


def style() -> None:
    """One look for every figure; called before each is drawn."""
    sns.set_theme(context="paper", style="whitegrid", font_scale=1.1)
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "pdf.compression": 6})


def fmt(value, digits: int = 4) -> str:
    """Fixed formatting so tables diff cleanly; NaN/None is 'n/a'."""
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    value = float(value)
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.{digits}f}"


def fmt_p(value) -> str:
    if value is None or not math.isfinite(float(value)):
        return "n/a"
    return f"{float(value):.2e}" if value < 1e-3 else f"{float(value):.4f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    cells = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |"
                     for row in cells) + "\n"


def latex_escape(text: str) -> str:
    return "".join(LATEX_ESCAPES.get(ch, ch) for ch in str(text))


def latex_table(header: list[str], rows: list[list[str]], caption: str, label: str) -> str:
    lines = [r"\begin{table}[t]", r"\centering", r"\small",
             rf"\caption{{{latex_escape(caption)}}}", rf"\label{{{label}}}",
             r"\begin{tabular}{l" + "r" * (len(header) - 1) + "}", r"\toprule",
             " & ".join(latex_escape(h) for h in header) + r" \\", r"\midrule"]
    lines += [" & ".join(latex_escape(c) for c in row) + r" \\" for row in rows]
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def write_table(out: Path, stem: str, title: str, caption: str, header: list[str],
                rows: list[list[str]], footer: list[str] = ()) -> list[Path]:
    """``<stem>.md`` (title, caption, table, footer lines) and ``<stem>.tex``."""
    out.mkdir(parents=True, exist_ok=True)
    md = out / f"{stem}.md"
    tex = out / f"{stem}.tex"
    body = [f"### {title}\n", f"{caption}\n", markdown_table(header, rows)]
    body += [f"\n{line}\n" for line in footer]
    md.write_text("\n".join(body))
    tex_caption = " ".join([title + ".", caption, *footer])
    tex.write_text(latex_table(header, rows, tex_caption, f"tab:{stem}"))
    return [md, tex]


# Figure formats written by save_figure, with metadata that carries no date or version.
FORMATS = {"png": PNG_METADATA, "pdf": PDF_METADATA}


def save_figure(fig, out: Path, stem: str, formats: tuple[str, ...] = tuple(FORMATS)) -> list[Path]:
    """``<stem>.<ext>`` per format (png, pdf), legends outside included; closes ``fig``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for ext in formats:
        path = out / f"{stem}.{ext}"
        fig.savefig(path, bbox_inches="tight", metadata=FORMATS[ext])
        written.append(path)
    plt.close(fig)
    return written


def legend_outside(ax, title: str | None = None) -> None:
    """Move the axes' legend to the right of the plot, off the data."""
    if ax.get_legend() is not None:
        sns.move_legend(ax, "upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, title=title)


# 20 colours chosen to stay apart from each other on white (Kelly's maximum-contrast
# set, white, black and greys left out): tab20's light/dark pairs could not tell
# 18 methods apart. Beyond 20, markers (see ``markers``) keep methods distinct.
DISTINCT = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
            "#9a6324", "#808000", "#000075", "#800000", "#469990", "#bfef45", "#dcbeff",
            "#ffd8b1", "#aaffc3", "#fabed4", "#ffe119", "#a9a9a9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")
# One colour per method family (CD diagrams colour labels by family).
FAMILY_COLOURS = {"bandit": "#4363d8", "baseline": "#e6194b", "reference": "#3cb44b",
                  "unpruned": "#000000"}


def palette(methods: list[str]) -> dict:
    """A distinct colour per method, the same method always the same colour within a figure."""
    if len(methods) <= 10:
        return dict(zip(methods, sns.color_palette("tab10", len(methods))))
    return {m: DISTINCT[i % len(DISTINCT)] for i, m in enumerate(methods)}


def markers(methods: list[str]) -> dict:
    """A marker per method, cycling at a different period from the colours, so no two
    of up to 20 x 10 methods share both colour and marker."""
    return {m: MARKERS[i % len(MARKERS)] for i, m in enumerate(methods)}


def seed_phrase(seeds: pd.Series) -> str:
    """'3 seeds', or '1-3 seeds' where methods differ: the real count, never 'N+'."""
    low, high = int(seeds.min()), int(seeds.max())
    unit = "seed" if high == 1 else "seeds"
    return f"{low} {unit}" if low == high else f"{low}-{high} {unit}"
