from lapkin.cli import app

app()
