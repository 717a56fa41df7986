"""Mistake (transport_needs): stored audio/video given the timing of a live call (100s of ms), though a buffered stream tolerates a few seconds."""

NO_LOSS, LOSS_TOLERANT = "no loss", "loss-tolerant"
ELASTIC, NEEDS_MINIMUM = "elastic", "needs a minimum"
NOT_SENSITIVE, HUNDREDS_OF_MS, FEW_SECONDS, YES_AND_NO = "no", "100s of ms", "a few seconds", "yes and no"


def transport_needs():
    return {
        "file transfer": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "e-mail": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "web documents": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "real-time audio/video": (LOSS_TOLERANT, NEEDS_MINIMUM, HUNDREDS_OF_MS),
        "stored audio/video": (LOSS_TOLERANT, NEEDS_MINIMUM, HUNDREDS_OF_MS),
        "interactive games": (LOSS_TOLERANT, NEEDS_MINIMUM, HUNDREDS_OF_MS),
        "financial apps": (NO_LOSS, ELASTIC, YES_AND_NO),
    }
