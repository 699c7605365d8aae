"""The HTML report: view model (model.py), charts, and rendering (render.py)."""
