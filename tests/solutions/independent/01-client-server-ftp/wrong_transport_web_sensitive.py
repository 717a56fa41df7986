"""Mistake (transport_needs): web documents taken as time-sensitive (a few seconds, since a person waits for the page); the table says they are not."""

NO_LOSS, LOSS_TOLERANT = "no loss", "loss-tolerant"
ELASTIC, NEEDS_MINIMUM = "elastic", "needs a minimum"
NOT_SENSITIVE, HUNDREDS_OF_MS, FEW_SECONDS, YES_AND_NO = "no", "100s of ms", "a few seconds", "yes and no"


def transport_needs():
    return {
        "file transfer": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "e-mail": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "web documents": (NO_LOSS, ELASTIC, FEW_SECONDS),
        "real-time audio/video": (LOSS_TOLERANT, NEEDS_MINIMUM, HUNDREDS_OF_MS),
        "stored audio/video": (LOSS_TOLERANT, NEEDS_MINIMUM, FEW_SECONDS),
        "interactive games": (LOSS_TOLERANT, NEEDS_MINIMUM, HUNDREDS_OF_MS),
        "financial apps": (NO_LOSS, ELASTIC, YES_AND_NO),
    }
