"""AWS Lambda entry points (issue 17): the events queue handler, and the others beside it."""
