"""What a run sets up before its first model call, beside the resolved definitions: the knowledge
its agents consult (indexed) and the MCP servers whose tools they use (started)."""

from __future__ import annotations

from dataclasses import replace

from crewkit._crew_definition import CrewDefinition
from crewkit._run.prepare import ResolvedCrew, RunAgent
from crewkit._run.state import Run


async def start_knowledge(run: Run, crew: CrewDefinition) -> None:
    """Index the crew's and its agents' knowledge sources (``run.knowledge``), if any."""
    agents = [*crew.agents, *([crew.manager_agent] if crew.manager_agent else [])]
    if not crew.knowledge_sources and not any(a.knowledge_sources for a in agents):
        return
    from crewkit.knowledge._run import RunKnowledge
    from crewkit.knowledge._sources import KnowledgeConfig

    run.knowledge = RunKnowledge(
        crew.knowledge_sources,
        {id(a): a.knowledge_sources for a in agents if a.knowledge_sources},
        crew.knowledge_config or KnowledgeConfig(),
        {id(a): a.knowledge_config for a in agents if a.knowledge_config is not None},
    )
    await run.knowledge.start()


async def start_servers(run: Run, resolved: ResolvedCrew) -> ResolvedCrew:
    """Start the MCP servers the agents name (``run.servers``) and give each agent its servers'
    tools; ``resolved`` unchanged when no agent names one."""
    agents = [*resolved.agents, *([resolved.manager] if resolved.manager else [])]
    specs = [spec for agent in agents for spec in agent.definition.mcps]
    if not specs:
        return resolved
    from crewkit.mcp._run import RunServers

    run.servers = servers = await RunServers.start(specs)

    def equipped(agent: RunAgent) -> RunAgent:
        if not agent.definition.mcps:
            return agent
        owner = f"agent {agent.role!r}"
        extra = servers.tools_for(owner, agent.definition.mcps, agent.tools)
        return replace(agent, tools=(*agent.tools, *extra))

    new = {id(a): equipped(a) for a in agents}
    return replace(
        resolved,
        agents=tuple(new[id(a)] for a in resolved.agents),
        tasks=tuple(
            replace(t, agent=new[id(t.agent)]) if t.agent is not None else t for t in resolved.tasks
        ),
        manager=new[id(resolved.manager)] if resolved.manager is not None else None,
    )
