from crewai.tools import tool


@tool("Make a calculation")
def calculate(operation: str) -> str:
    """Evaluate a simple arithmetic expression such as 200*7 or 5000/2*10."""
    allowed = set("0123456789+-*/(). ")
    if not set(operation) <= allowed:
        return "only numbers and + - * / ( ) are allowed"
    try:
        return str(eval(operation, {"__builtins__": {}}, {}))
    except (SyntaxError, ZeroDivisionError) as exc:
        return f"cannot calculate {operation!r}: {exc}"
