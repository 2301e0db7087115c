from agents import MarketingAnalysisAgents
from crewai import Crew
from tasks import MarketingAnalysisTasks

tasks = MarketingAnalysisTasks()
agents = MarketingAnalysisAgents()

print("## Welcome to the marketing Crew")
product_website = input("What is the product website you want a marketing strategy for?\n")
product_details = input("Any extra details about the product and or the instagram post you want?\n")

analyst = agents.product_competitor_agent()
writer = agents.creative_content_creator_agent()
copy_crew = Crew(
    agents=[analyst, writer],
    tasks=[
        tasks.product_analysis(analyst, product_website, product_details),
        tasks.instagram_ad_copy(writer),
    ],
    verbose=True,
)
ad_copy = copy_crew.kickoff()

photographer = agents.senior_photographer_agent()
image_crew = Crew(
    agents=[photographer],
    tasks=[tasks.take_photograph_task(photographer, ad_copy, product_website, product_details)],
    verbose=True,
)
image = image_crew.kickoff()

print("Your post copy:")
print(ad_copy)
print("Your photo description:")
print(image)
