"""Mistake (parse_pasv): the port's two bytes in the wrong order, p2 * 256 + p1 (host byte order
thinking): p1 is the high byte."""


def parse_pasv(text):
    inside = text[text.find("(") + 1:text.rfind(")")] if "(" in text else text
    parts = inside.strip(" .").split(",")
    if len(parts) != 6 or not all(part.isdigit() for part in parts):
        raise ValueError(f"no address in {text!r}")
    numbers = [int(part) for part in parts]
    if max(numbers) > 255:
        raise ValueError("a number over 255")
    return ".".join(map(str, numbers[:4])), numbers[5] * 256 + numbers[4]
