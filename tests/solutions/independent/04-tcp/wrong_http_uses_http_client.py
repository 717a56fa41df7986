"""Mistake (exercise 5): uses http.client instead of a socket (the exercise forbids
urllib and http.client)."""
import http.client


def http_get(host, port, path):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        headers = {name.lower(): value.strip() for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        conn.close()
