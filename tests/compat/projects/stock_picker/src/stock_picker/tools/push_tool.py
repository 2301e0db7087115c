import os

from crewai.tools import BaseTool
from pydantic import BaseModel, Field


class PushNotification(BaseModel):
    """A message to be sent to the user"""

    message: str = Field(..., description="The message to be sent to the user.")


class PushNotificationTool(BaseTool):
    name: str = "Send a Push Notification"
    description: str = "This tool is used to send a push notification to the user."
    args_schema: type[BaseModel] = PushNotification

    def _run(self, message: str) -> str:
        os.makedirs("output", exist_ok=True)
        with open("output/notifications.log", "a", encoding="utf-8") as log:
            log.write(message + "\n")
        return '{"notification": "ok"}'
