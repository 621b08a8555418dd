"""Exceptions that mean "the user gave us something wrong", as opposed to bugs.

The command line turns any ``HandoutError`` into a one-line message and exit
status 1; everything else is a bug and keeps its traceback.
"""


class HandoutError(Exception):
    """Base class for errors a clinic's staff can fix themselves."""


class NotFound(HandoutError):
    """An unknown protocol, clinic or file, ideally with a suggestion."""


class ContentError(HandoutError):
    """A protocol or branding file that does not load or validate.

    ``problems`` holds one ``path:line:column: field: message`` line per problem,
    so that a manager fixing a file sees all of them at once.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class InputError(HandoutError):
    """A bad value typed on the command line or read from a CSV row."""


class ResourceRefused(HandoutError):
    """A logo, font or stylesheet that points outside the allowed folders."""


class DeliveryError(HandoutError):
    """Email or printing failed; the PDF itself was still written."""


class MaybeDelivered(DeliveryError):
    """An email whose outcome is unknown: the server had all of it but never confirmed.

    Never retried by itself: the patient may already have it.
    """
