from textwrap import dedent

from crewai import Task


class MarketingAnalysisTasks:
    def product_analysis(self, agent, product_website, product_details):
        return Task(
            description=dedent(f"""Analyse {product_website}. Extra details: {product_details}."""),
            expected_output="Key selling points of the product.",
            agent=agent,
        )

    def instagram_ad_copy(self, agent):
        return Task(
            description="Write three Instagram ad copies for the product, under 30 words each.",
            expected_output="Three ad copies.",
            agent=agent,
        )

    def take_photograph_task(self, agent, copy, product_website, product_details):
        return Task(
            description=dedent(f"""Describe a photograph for this copy: {copy}
            Product: {product_website}. Details: {product_details}."""),
            expected_output="Three photograph descriptions.",
            agent=agent,
        )
