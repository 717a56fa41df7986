"""parse_pasv, wrong in the classic ways."""

import re


def _numbers(text):
    match = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", text)
    if not match:
        raise ValueError(text)
    return [int(n) for n in match.groups()]


def adds_the_port_bytes(text):
    h1, h2, h3, h4, p1, p2 = _numbers(text)
    return f"{h1}.{h2}.{h3}.{h4}", p1 + p2


def times_255(text):
    h1, h2, h3, h4, p1, p2 = _numbers(text)
    return f"{h1}.{h2}.{h3}.{h4}", p1 * 255 + p2


def low_byte_first(text):
    h1, h2, h3, h4, p1, p2 = _numbers(text)
    return f"{h1}.{h2}.{h3}.{h4}", p2 * 256 + p1


def no_range_check(text):
    h1, h2, h3, h4, p1, p2 = _numbers(text)
    return f"{h1}.{h2}.{h3}.{h4}", p1 * 256 + p2


def needs_parentheses(text):
    inside = text[text.index("(") + 1:text.index(")")]
    h1, h2, h3, h4, p1, p2 = (int(n) for n in inside.split(","))
    if max(h1, h2, h3, h4, p1, p2) > 255:
        raise ValueError(text)
    return f"{h1}.{h2}.{h3}.{h4}", p1 * 256 + p2


def port_as_text(text):
    h1, h2, h3, h4, p1, p2 = _numbers(text)
    return f"{h1}.{h2}.{h3}.{h4}", str(p1 * 256 + p2)


def with_ftplib(text):
    """Lets ftplib do the exercise."""
    import ftplib

    return ftplib.parse227("227 " + text)


def any_numbers(text):
    """Takes the last six numbers anywhere in the text, comma-separated or not."""
    numbers = [int(n) for n in re.findall(r"\d+", text)][-6:]
    if len(numbers) < 6 or max(numbers) > 255:
        raise ValueError(text)
    h1, h2, h3, h4, p1, p2 = numbers
    return f"{h1}.{h2}.{h3}.{h4}", p1 * 256 + p2
