from crewai import Agent


class EmailPersonalizationAgents:
    def personalize_email_agent(self):
        return Agent(
            role="Email Personalizer",
            goal="Personalize the template for each recipient using what we know about them",
            backstory="You write emails that feel written for one person.",
            verbose=True,
            max_iter=2,
        )

    def ghostwriter_agent(self):
        return Agent(
            role="Ghostwriter",
            goal="Rewrite each email in the sender's own friendly voice",
            backstory="You have written for this sender for years.",
            verbose=True,
            max_iter=2,
        )
