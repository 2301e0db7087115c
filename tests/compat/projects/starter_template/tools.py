from crewai.tools import tool


class ExampleTools:
    @tool("Multiply two numbers")
    def multiply(a: int, b: int) -> int:
        """Multiply a by b."""
        return a * b
