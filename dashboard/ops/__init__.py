"""Running an installation: ``serve`` (start the server) and ``doctor`` (check the installation).

Above every other package (it starts the app); nothing imports it but the CLI.
"""
