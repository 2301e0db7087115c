from crewai import Task


class PersonalizeEmailTask:
    def personalize_email(self, agent, recipient, email_template):
        return Task(
            description=f"""Personalize this template for {recipient["first_name"]} {recipient["last_name"]}
            ({recipient["email"]}). Bio: {recipient["bio"]}. Last conversation: {recipient["last_conversation"]}.
            TEMPLATE: {email_template}""",
            expected_output="The personalized email, subject line first.",
            agent=agent,
        )

    def ghostwrite_email(self, agent, draft_email, recipient):
        return Task(
            description=f"Rewrite the draft for {recipient['first_name']} in the sender's voice.",
            expected_output="The final email.",
            agent=agent,
            context=[draft_email],
        )
