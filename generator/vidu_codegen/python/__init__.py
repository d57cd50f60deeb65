"""Steps 5 to 7 for the Python target: context, rendering, writing.

``context`` turns the resolved spec into the names and code fragments the
templates print, ``manifest`` declares which template makes which file,
``render`` renders and formats them, and ``writer`` puts them in place.
"""
