def handle(request)
    return request
