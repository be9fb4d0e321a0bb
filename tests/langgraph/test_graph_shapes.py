"""Graph shapes: hand-built loops, workflows, subgraphs, sub-agents, ``Send`` fan-out, node spans."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.types import Send
from obs_core.testing import TelemetryCapture
from obs_langgraph import LangGraphConfig, ObsCallbackHandler

from .graphs import SpanTree, agent, attrs, handbuilt, make_tools, scripted, workflow

HI: Any = {"messages": [("user", "hi")]}


def test_handbuilt_loop_is_renamed_agent_on_its_first_run(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    handbuilt(scripted(), make_tools()[:1], name="first-loop").invoke(HI, config={"callbacks": [handler]})
    root = tree.one("invoke_agent first-loop")
    assert {k: v for k, v in attrs(root).items() if not k.startswith(("gen_ai.usage", "obs.gen_ai"))} == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "first-loop",
        "obs.agent.outcome": "completed",
    }
    assert [attrs(s)["obs.agent.iteration.nodes"] for s in tree.named("obs.agent.iteration")] == [
        ["agent", "tools"],
        ["agent", "tools"],
        ["agent"],
    ]


def test_workflow_without_model(handler: ObsCallbackHandler, tree: SpanTree, capture: TelemetryCapture) -> None:
    workflow().invoke(HI, config={"callbacks": [handler]})
    assert tree.outline() == ["invoke_workflow pipeline"]
    assert attrs(tree.one("invoke_workflow pipeline")) == {
        "gen_ai.operation.name": "invoke_workflow",
        "gen_ai.workflow.name": "pipeline",
        "obs.agent.outcome": "completed",
    }
    assert capture.metric_sum("gen_ai.invoke_agent.duration") == 0


def test_node_spans_on_request(capture: TelemetryCapture, tree: SpanTree) -> None:
    handler = ObsCallbackHandler(
        config=LangGraphConfig.from_env({"OBS_LANGGRAPH_NODE_SPANS": "1"}), **capture.providers
    )
    agent(scripted(), make_tools()[:1]).invoke(HI, config={"callbacks": [handler]})
    assert tree.outline() == [
        "invoke_agent adder",
        "  obs.agent.iteration",
        "    obs.langgraph.node model",
        "      chat gpt-4o-mini",
        "    obs.langgraph.node tools",
        "      execute_tool add",
        "    obs.langgraph.node tools",
        "      execute_tool add",
        "  obs.agent.iteration",
        "    obs.langgraph.node model",
        "      chat gpt-4o-mini",
        "    obs.langgraph.node tools",
        "      execute_tool add",
        "  obs.agent.iteration",
        "    obs.langgraph.node model",
        "      chat gpt-4o-mini",
    ]
    assert attrs(tree.named("obs.langgraph.node tools")[2]) == {"obs.langgraph.node": "tools", "obs.langgraph.step": 4}


def _loop_then_report() -> Any:
    """An agent loop that hands its result to a compiled sub-workflow node."""

    def summarise(state: MessagesState) -> dict[str, Any]:
        return {"messages": [AIMessage(content="summary")]}

    report = StateGraph(MessagesState)
    report.add_node("summarise", summarise)
    report.add_edge(START, "summarise")
    sub = report.compile(name="report")

    tools = make_tools()[:1]
    bound = scripted().bind_tools(tools)

    def call_model(state: MessagesState) -> dict[str, Any]:
        return {"messages": [bound.invoke(state["messages"])]}

    builder = StateGraph(MessagesState)
    builder.add_node("agent", call_model)
    builder.add_node("tools", ToolNode(tools))
    builder.add_node("report", sub)
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition, {"tools": "tools", END: "report"})
    builder.add_edge("tools", "agent")
    builder.add_edge("report", END)
    return builder.compile(name="researcher")


def test_subgraph_nests_under_its_parents_iteration(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    _loop_then_report().invoke(HI, config={"callbacks": [handler]})
    assert tree.outline() == [
        "invoke_agent researcher",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
        "    execute_tool add",
        "    execute_tool add",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
        "    execute_tool add",
        "  obs.agent.iteration",
        "    chat gpt-4o-mini",
        "    invoke_workflow report",
    ]
    assert attrs(tree.named("obs.agent.iteration")[2])["obs.agent.iteration.nodes"] == ["agent", "report"]
    assert handler.live_runs == 0


def test_sub_agent_called_from_a_node(handler: ObsCallbackHandler, tree: SpanTree) -> None:
    helper = agent(scripted([[{"name": "add", "args": {"a": 1, "b": 1}}]]), make_tools()[:1], name="helper")
    bound = scripted([[{"name": "delegate", "args": {}}]]).bind_tools([])

    def boss(state: MessagesState) -> dict[str, Any]:
        return {"messages": [bound.invoke(state["messages"])]}

    def delegate(state: MessagesState) -> dict[str, Any]:
        result = helper.invoke({"messages": [("user", "help")]})
        return {"messages": [AIMessage(content=str(result["messages"][-1].content))]}

    builder = StateGraph(MessagesState)
    builder.add_node("boss", boss)
    builder.add_node("delegate", delegate)
    builder.add_edge(START, "boss")
    builder.add_edge("boss", "delegate")
    builder.add_edge("delegate", END)
    builder.compile(name="manager").invoke(HI, config={"callbacks": [handler]})
    assert tree.outline() == [
        "invoke_workflow manager",
        "  chat gpt-4o-mini",
        "  invoke_agent helper",
        "    obs.agent.iteration",
        "      chat gpt-4o-mini",
        "      execute_tool add",
        "    obs.agent.iteration",
        "      chat gpt-4o-mini",
    ]


class Fan(TypedDict):
    items: list[int]
    done: Annotated[list[int], operator.add]


def test_send_fan_out(capture: TelemetryCapture, tree: SpanTree) -> None:
    def plan(state: Fan) -> dict[str, Any]:
        return {}

    def spread(state: Fan) -> list[Send]:
        return [Send("work", {"items": [i], "done": []}) for i in state["items"]]

    def work(state: Fan) -> dict[str, Any]:
        return {"done": state["items"]}

    builder = StateGraph(Fan)
    builder.add_node("plan", plan)
    builder.add_node("work", work)
    builder.add_edge(START, "plan")
    builder.add_conditional_edges("plan", spread, ["work"])
    graph = builder.compile(name="fan")
    handler = ObsCallbackHandler(config=LangGraphConfig(node_spans=True), **capture.providers)
    result = graph.invoke({"items": [1, 2, 3], "done": []}, config={"callbacks": [handler]})
    assert sorted(result["done"]) == [1, 2, 3]
    assert tree.outline() == [
        "invoke_workflow fan",
        "  obs.langgraph.node plan",
        "  obs.langgraph.node work",
        "  obs.langgraph.node work",
        "  obs.langgraph.node work",
    ]
    assert {attrs(s)["obs.langgraph.step"] for s in tree.named("obs.langgraph.node work")} == {2}


def test_retriever_span(handler: ObsCallbackHandler, tree: SpanTree, capture: TelemetryCapture) -> None:
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    class Notes(BaseRetriever):
        def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
            return [Document(page_content=f"note about {query}")]

    def retrieve(state: MessagesState) -> dict[str, Any]:
        docs = Notes().invoke("otel")
        return {"messages": [AIMessage(content=docs[0].page_content)]}

    builder = StateGraph(MessagesState)
    builder.add_node("retrieve", retrieve)
    builder.add_edge(START, "retrieve")
    builder.compile(name="rag").invoke(HI, config={"callbacks": [handler]})
    assert tree.outline() == ["invoke_workflow rag", "  retrieval Notes"]
    assert attrs(tree.one("retrieval Notes")) == {
        "gen_ai.operation.name": "retrieval",
        "gen_ai.data_source.id": "Notes",
    }
