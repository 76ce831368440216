"""Box-drawn tables for `model.summary()` (the Keras 3 look, plain text)."""

from __future__ import annotations


def format_size(n_bytes: float) -> str:
    """`884` -> `"884.00 B"`, `2_681_896` -> `"2.56 MB"` (binary units, as Keras)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} GB"


def format_count(count: int, n_bytes: int) -> str:
    return f"{count:,} ({format_size(n_bytes)})"


def table(header: list[str], rows: list[list[str]], widths: list[int],
          align_right: set[int] = frozenset()) -> str:
    """Renders rows in a box table; long cells wrap onto extra lines."""

    def cells(values, left="│", mid="│", right="│"):
        wrapped = [_wrap(v, w) for v, w in zip(values, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        lines = []
        for i in range(height):
            parts = []
            for j, (w, width) in enumerate(zip(wrapped, widths, strict=True)):
                text = w[i] if i < len(w) else ""
                parts.append(" " + (text.rjust(width) if j in align_right
                                    else text.ljust(width)) + " ")
            lines.append(left + mid.join(parts) + right)
        return lines

    def rule(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + right

    out = [rule("┏", "┳", "┓", "━")]
    out += cells(header, "┃", "┃", "┃")
    out.append(rule("┡", "╇", "┩", "━"))
    for i, row in enumerate(rows):
        out += cells(row)
        out.append(rule("├", "┼", "┤", "─") if i < len(rows) - 1
                   else rule("└", "┴", "┘", "─"))
    if not rows:
        out.append(rule("└", "┴", "┘", "─"))
    return "\n".join(out)


def _wrap(text: str, width: int) -> list[str]:
    text = str(text)
    lines = []
    for piece in text.split("\n"):
        while len(piece) > width:
            cut = piece.rfind(" ", 0, width)
            cut = width if cut <= 0 else cut
            lines.append(piece[:cut])
            piece = piece[cut:].lstrip()
        lines.append(piece)
    return lines


def product_term(shape) -> tuple[str, int]:
    """`(784, 512)` -> `("784 x 512", 401408)`; a scalar weight counts 1."""
    dims = [int(d) for d in shape]
    value = 1
    for d in dims:
        value *= d
    return (" x ".join(str(d) for d in dims) or "1", value)


def sum_terms(terms: list[tuple[str, int]]) -> tuple[str, int]:
    """Joins (text, value) terms with " + ", grouping equal ones.

    Identical terms are counted, in order of first appearance: four `64` terms
    become `4 x 64`, two `3 x 4` terms `2 x (3 x 4)`.

    Example:
        >>> sum_terms([("64", 64)] * 4)
        ('4 x 64', 256)
        >>> sum_terms([("8 x 4", 32), ("4", 4)])
        ('8 x 4 + 4', 36)
    """
    counts: dict[str, list[int]] = {}
    for text, value in terms:
        counts.setdefault(text, [0, value])[0] += 1
    parts = []
    for text, (count, _) in counts.items():
        if count == 1:
            parts.append(text)
        else:
            inner = f"({text})" if " " in text else text
            parts.append(f"{count} x {inner}")
    total = sum(count * value for count, value in counts.values())
    return " + ".join(parts), total
