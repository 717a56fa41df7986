"""netkit.widgets: the byte-order explorer's HTML, and the widget wiring a Text to it."""

from netkit.widgets import CSS_CLASSES, byte_order_explorer, explain_html


def test_explain_html_shows_both_orders_of_the_lecture_address():
    page = explain_html("157.181.161.32", host_order="little")
    assert "0x9db5a120" in page and "157.181.161.32" in page
    big, little = page.split('data-order="big"')[1].split('data-order="little"')
    assert big.index("<b>9d</b>") < big.index("<b>20</b>")
    assert little.index("<b>20</b>") < little.index("<b>9d</b>")
    assert "32.161.181.157" in page
    assert "little-endian (this machine)" in page


def test_explain_html_shows_a_port_in_two_bytes():
    page = explain_html("80", host_order="big")
    assert page.count("<b>00</b>") == 2 and page.count("<b>50</b>") == 2
    assert "network byte order (this machine)" in page


def test_explain_html_explains_bad_input_without_raising():
    page = explain_html("256.1.1.1")
    assert "netkit-error" in page and "0..255" in page
    assert "&lt;" in explain_html("<script>")


def test_the_widget_updates_its_output_on_every_change():
    box = byte_order_explorer()
    field, output = box.children
    assert CSS_CLASSES["box"] in box._dom_classes
    assert CSS_CLASSES["input"] in field._dom_classes
    assert CSS_CLASSES["output"] in output._dom_classes
    assert "157.181.161.32" in output.value
    field.value = "0x01020304"
    assert "1.2.3.4" in output.value
    field.value = "1.2.3"
    assert "netkit-error" in output.value
