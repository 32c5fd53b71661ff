"""The benchmark's handler: returns its input."""


def handle(request):
    return request["input"]
