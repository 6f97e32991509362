"""The polling agent (`seaway agent register|run`): runs on a machine the server cannot reach, dials the
server's agent listener, asks for its work, runs it and reports back."""
