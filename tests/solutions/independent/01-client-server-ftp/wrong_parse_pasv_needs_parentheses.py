"""Mistake (parse_pasv): the numbers are looked for only between parentheses, which RFC 959
does not require."""


def parse_pasv(text):
    inside = text[text.index("(") + 1:text.index(")")]
    parts = inside.split(",")
    if len(parts) != 6 or not all(part.isdigit() for part in parts):
        raise ValueError(f"no address in {text!r}")
    numbers = [int(part) for part in parts]
    if max(numbers) > 255:
        raise ValueError("a number over 255")
    return ".".join(map(str, numbers[:4])), numbers[4] * 256 + numbers[5]
