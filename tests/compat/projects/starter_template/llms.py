class ChatReply:
    def __init__(self, content):
        self.content = content


class LocalChat:
    """Shaped like a LangChain chat model (invoke on a list of messages)."""

    def __init__(self, model_name, temperature=0.7):
        self.model_name = model_name
        self.temperature = temperature

    def invoke(self, messages, **kwargs):
        return ChatReply("Final Answer: done")
