"""The notebooks' interactive widgets; today the byte-order explorer of notebook 03.

``byte_order_explorer()`` returns an ipywidgets box: type an IPv4 address or an
integer into its text field and it shows the bytes in network (big-endian) and
little-endian order, and what a reader that assumes the wrong order gets back.
The HTML is built by ``explain_html`` (pure, tested without a browser); the widget
only wires a ``Text`` to an ``HTML`` on every change.

Browser tests find the parts by CSS class: ``netkit-byteorder`` (the box),
``netkit-byteorder-input`` (the text field) and ``netkit-byteorder-output`` (the HTML).
"""

import html
import sys

from .byteorder import LECTURE_ADDRESS, dotted, in_both_orders, parse_value

__all__ = ["byte_order_explorer", "explain_html", "CSS_CLASSES"]

CSS_CLASSES = {
    "box": "netkit-byteorder",
    "input": "netkit-byteorder-input",
    "output": "netkit-byteorder-output",
}

_ROWS = (
    ("big", "big-endian = network byte order", "SPARC, PowerPC; every header on the wire"),
    ("little", "little-endian", "x86, ARM as usually run; memory of most PCs"),
)
_CELL = ("border:1px solid #999;padding:2px 8px;text-align:center;"
         "font-family:monospace;min-width:3em")


def _cells(data):
    return "".join(
        f'<td style="{_CELL}"><b>{byte:02x}</b><br><small>{byte}</small></td>' for byte in data
    )


def _read_back(data, order, size):
    """What a reader that assumes ``order`` makes of ``data``: a number (and an address)."""
    number = int.from_bytes(data, order)
    return f"{number} = 0x{number:0{2 * size}x}" + (f" = {dotted(number)}" if size == 4 else "")


def explain_html(text, host_order=sys.byteorder):
    """The explorer's output for ``text``: a table of bytes in both orders, or why it is not a number."""
    try:
        value = parse_value(text)
    except ValueError as exc:
        return f'<div class="netkit-error" style="color:#b00">{html.escape(str(exc))}</div>'
    size = value.size
    orders = in_both_orders(value.number, size)
    head = "".join(f'<th style="{_CELL}">byte {i}</th>' for i in range(size))
    rows = []
    for order, name, who in _ROWS:
        other = "little" if order == "big" else "big"
        mine = " (this machine)" if order == host_order else ""
        rows.append(
            f'<tr data-order="{order}"><th style="text-align:left;padding-right:1em">{name}{mine}'
            f'<br><small>{who}</small></th>{_cells(orders[order])}'
            f'<td style="padding-left:1em"><small>read as {other}-endian: '
            f"{_read_back(orders[order], other, size)}</small></td></tr>"
        )
    shown = f"{value.number} = 0x{value.number:0{2 * size}x}"
    if size == 4:
        shown += f" = {dotted(value.number)}"
    return (
        f"<div><b>{html.escape(shown)}</b> ({size} bytes, "
        f"{'an IPv4 address' if size == 4 else 'fits a port: 16 bits'})</div>"
        f'<table style="border-collapse:collapse;margin-top:4px">'
        f"<tr><th></th>{head}<th></th></tr>{''.join(rows)}</table>"
    )


def byte_order_explorer(value=LECTURE_ADDRESS):
    """A text field and a live table of the bytes of what is typed (needs ipywidgets)."""
    import ipywidgets as widgets  # imported here: the rest of netkit runs without it

    field = widgets.Text(
        value=value,
        description="Address or integer",
        placeholder="157.181.161.32, 2645926176, 0x9db5a120 or 80",
        continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="32em"),
    )
    field.add_class(CSS_CLASSES["input"])
    output = widgets.HTML(value=explain_html(value))
    output.add_class(CSS_CLASSES["output"])

    def update(change):
        output.value = explain_html(change["new"])

    field.observe(update, names="value")
    box = widgets.VBox([field, output])
    box.add_class(CSS_CLASSES["box"])
    return box
