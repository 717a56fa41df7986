"""Mistake (transport_needs): a row left out (financial apps), and e-mail spelled 'email'."""

NO_LOSS, LOSS_TOLERANT = "no loss", "loss-tolerant"
ELASTIC, NEEDS_MINIMUM = "elastic", "needs a minimum"
NOT_SENSITIVE, HUNDREDS_OF_MS, FEW_SECONDS, YES_AND_NO = "no", "100s of ms", "a few seconds", "yes and no"


def transport_needs():
    return {
        "file transfer": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "email": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "web documents": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "real-time audio/video": (LOSS_TOLERANT, NEEDS_MINIMUM, HUNDREDS_OF_MS),
        "stored audio/video": (LOSS_TOLERANT, NEEDS_MINIMUM, FEW_SECONDS),
        "interactive games": (LOSS_TOLERANT, NEEDS_MINIMUM, HUNDREDS_OF_MS),
    }
