"""Mistake (transport_needs): the student's own words instead of the given constants ('loss tolerant' without the hyphen, 'yes' for time-sensitive)."""

NO_LOSS, LOSS_TOLERANT = "no loss", "loss-tolerant"
ELASTIC, NEEDS_MINIMUM = "elastic", "needs a minimum"
NOT_SENSITIVE, HUNDREDS_OF_MS, FEW_SECONDS, YES_AND_NO = "no", "100s of ms", "a few seconds", "yes and no"


def transport_needs():
    return {
        "file transfer": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "e-mail": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "web documents": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "real-time audio/video": ("loss tolerant", NEEDS_MINIMUM, "yes"),
        "stored audio/video": ("loss tolerant", NEEDS_MINIMUM, "yes"),
        "interactive games": ("loss tolerant", NEEDS_MINIMUM, "yes"),
        "financial apps": (NO_LOSS, ELASTIC, YES_AND_NO),
    }
