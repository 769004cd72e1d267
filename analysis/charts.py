"""Pure Plotly figure builders with one colour-blind-safe palette (a fixed colour per element) and
one explicit template. Every title states the finding; every hover shows n. The same figure feeds
the page, the image, the HTML snapshot and the brief."""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from analysis.model import ELEMENT_LABELS, ELEMENTS, SOURCE_LABELS

# Okabe-Ito: distinguishable under the common colour-vision deficiencies.
ELEMENT_COLOURS: dict[str, str] = {
    "trust": "#0072B2",
    "risk": "#E69F00",
    "learning": "#009E73",
    "relationship": "#CC79A7",
}
NEUTRAL = "#999999"
SEQUENTIAL = [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]]
DIVERGING = [[0.0, "#b2182b"], [0.5, "#f7f7f7"], [1.0, "#2166ac"]]

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": "DejaVu Sans, Arial, sans-serif", "size": 13, "color": "#222222"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        colorway=[ELEMENT_COLOURS[e] for e in ELEMENTS],
        xaxis={
            "gridcolor": "#e5e5e5",
            "zerolinecolor": "#bbbbbb",
            "linecolor": "#888888",
            "automargin": True,
        },
        yaxis={
            "gridcolor": "#e5e5e5",
            "zerolinecolor": "#bbbbbb",
            "linecolor": "#888888",
            "automargin": True,
        },
        title={"x": 0.0, "xanchor": "left", "font": {"size": 16}},
        margin={"l": 60, "r": 30, "t": 70, "b": 50},
        hoverlabel={"bgcolor": "#ffffff"},
    )
)


TITLE_WIDTH = 80  # characters on one line of a chart's title; Plotly never wraps a title itself


def _finish(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    # Titles may quote uploaded text (segment values); Plotly renders a subset of HTML, so escape,
    # and break long headlines into lines (a title wider than the chart is cut off on screen).
    lines = [html.escape(line) for line in textwrap.wrap(title, TITLE_WIDTH)] or [""]
    fig.update_layout(
        template=TEMPLATE,
        title={"text": "<br>".join(lines)},
        height=height + 22 * (len(lines) - 1),
        margin_t=70 + 22 * (len(lines) - 1),
    )
    return fig


def _label(element: str) -> str:
    return ELEMENT_LABELS[element]


def empty_figure(message: str) -> go.Figure:
    """A chart that says plainly there is nothing to show."""
    fig = go.Figure()
    fig.add_annotation(
        text=html.escape(message),
        showarrow=False,
        font={"size": 15},
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _finish(fig, "Nothing to show for these filters", height=300)


def _ci_text(pct: float, low: float, high: float) -> str:
    return f"{pct:.0f}% [{low:.0f}-{high:.0f}]"


def _separated(levels: pd.DataFrame) -> tuple[pd.Series, bool, pd.Series]:
    """The lowest element of a source, whether its interval is clear of every other element's
    (only then is it called the least common), and the next lowest."""
    ordered = levels.sort_values("pct")
    low, nxt = ordered.iloc[0], ordered.iloc[1]
    clear = all(low["ci_high"] < other["ci_low"] for _, other in ordered.iloc[1:].iterrows())
    return low, clear, nxt


def overview_headline(levels: pd.DataFrame) -> str:
    """What stands out, claimed only where the intervals support it."""
    for source in ("session_note", "mentee_rating"):
        shown = levels[(levels["source"] == source)].dropna(subset=["pct"])
        if len(shown) < 2:
            continue
        low, clear, nxt = _separated(shown)
        where = SOURCE_LABELS[source].lower()
        if clear:
            return (
                f"{low['label']} is the least common element in {where}: "
                f"{_ci_text(low['pct'], low['ci_low'], low['ci_high'])}"
            )
        return (
            f"In {where}, {low['label'].lower()} ({low['pct']:.0f}%) and "
            f"{nxt['label'].lower()} ({nxt['pct']:.0f}%) are not distinguishable; "
            "see the intervals"
        )
    return "Not enough observations to compare the four elements"


SOURCE_STYLE = {
    "mentee_rating": {"pattern": {"shape": ""}, "opacity": 1.0},
    "session_note": {"pattern": {"shape": "/"}, "opacity": 0.7},
    "self_assessment": {"pattern": {"shape": "."}, "opacity": 0.5},
}


def element_overview(
    levels: pd.DataFrame, sources: tuple[str, ...] = ("mentee_rating", "session_note")
) -> go.Figure:
    """How often each element shows up, one bar per source (never pooled), each with its
    mentor-clustered 95% interval and n beside it."""
    shown = levels[levels["source"].isin(sources)].dropna(subset=["pct"])
    if shown.empty:
        return empty_figure("No element has enough observations behind it yet.")
    fig = go.Figure()
    for source in sources:
        part = shown[shown["source"] == source]
        if part.empty:
            continue
        fig.add_bar(
            name=SOURCE_LABELS[source],
            y=[_label(e) for e in part["element"]],
            x=part["pct"],
            orientation="h",
            offsetgroup=source,
            marker={"color": [ELEMENT_COLOURS[e] for e in part["element"]], **SOURCE_STYLE[source]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": part["ci_high"] - part["pct"],
                "arrayminus": part["pct"] - part["ci_low"],
                "color": "#333333",
                "thickness": 1.5,
            },
            customdata=part[["shown_count", "observation_count", "mentors", "ci_low", "ci_high"]],
            hovertemplate="%{y}<br>" + SOURCE_LABELS[source] + ": %{customdata[0]:,} of "
            "%{customdata[1]:,} (%{x:.1f}%, 95% interval %{customdata[3]:.1f}-%{customdata[4]:.1f}) "
            "from %{customdata[2]} mentors<extra></extra>",
        )
        # The figure and its n written past the interval's end, never across the whisker.
        fig.add_scatter(
            y=[_label(e) for e in part["element"]],
            x=part["ci_high"] + 1.5,
            orientation="h",
            offsetgroup=source,
            mode="text",
            text=[
                f"{_ci_text(p, lo, hi)}  n={int(n):,}"
                for p, lo, hi, n in zip(
                    part["pct"],
                    part["ci_low"],
                    part["ci_high"],
                    part["observation_count"],
                    strict=True,
                )
            ],
            textposition="middle right",
            showlegend=False,
            hoverinfo="skip",
        )
    _target_marks(fig, shown, sources)
    fig.update_layout(
        barmode="group",
        scattermode="group",
        legend={"orientation": "h", "y": -0.15},
        bargap=0.25,
    )
    fig.update_xaxes(  # the room past 100% holds the labels, not a scale
        range=[0, 125],
        tickvals=list(range(0, 101, 20)),
        ticktext=[f"{t}%" for t in range(0, 101, 20)],
        title="",
    )
    fig.update_yaxes(autorange="reversed")
    return _finish(fig, overview_headline(levels), height=460)


def _target_marks(fig: go.Figure, shown: pd.DataFrame, sources: tuple[str, ...]) -> None:
    """The admin's target for each bar, as a black tick across it (hover says what it is)."""
    if "target_pct" not in shown.columns:
        return
    first = True
    for source in sources:
        part = shown[shown["source"] == source]
        if part.empty or not part["target_pct"].notna().any():
            continue
        fig.add_scatter(
            y=[_label(e) for e in part["element"]],
            x=part["target_pct"],
            orientation="h",
            offsetgroup=source,
            mode="markers",
            marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": "#111111"}},
            name="Target",
            showlegend=first,
            legendgroup="target",
            hovertemplate="%{y}: target %{x:.0f}%<extra>" + SOURCE_LABELS[source] + "</extra>",
        )
        first = False


def rate_distribution(rates: pd.DataFrame) -> go.Figure:
    """How mentors' partially pooled rates spread, per element: a box drawn from precomputed
    quartiles, so the chart's size does not grow with the number of mentors."""
    if rates.empty:
        return empty_figure("No mentor has enough observations to measure yet.")
    fig = go.Figure()
    spreads = {}
    for element in ELEMENTS:
        part = rates[rates["element"] == element]["rate_pct"]
        if part.empty:
            continue
        q1, median, q3 = part.quantile([0.25, 0.5, 0.75])
        low, high = part.quantile([0.05, 0.95])
        spreads[element] = q3 - q1
        fig.add_trace(
            go.Box(
                name=_label(element),
                x=[_label(element)],
                q1=[q1],
                median=[median],
                q3=[q3],
                lowerfence=[low],
                upperfence=[high],
                marker={"color": ELEMENT_COLOURS[element]},
                line={"color": ELEMENT_COLOURS[element]},
                hovertemplate=f"{_label(element)}: middle half {q1:.0f}-{q3:.0f}%, "
                f"median {median:.0f}%, 90% of mentors {low:.0f}-{high:.0f}% "
                f"({len(part)} mentors)<extra></extra>",
            )
        )
    fig.update_yaxes(range=[-3, 103], ticksuffix="%", title="Mentor's rate (partially pooled)")
    fig.update_layout(showlegend=False)
    # No test compares spreads between elements, so the title ranks none of them.
    narrow, wide = min(spreads.values()), max(spreads.values())
    span = f"{narrow:.0f}" if round(narrow) == round(wide) else f"{narrow:.0f} to {wide:.0f}"
    title = (
        f"The middle half of mentors spans {span} points, element by element "
        f"({rates['mentor_id'].nunique()} mentors)"
    )
    return _finish(fig, title, height=460)


def _unique(names: list[str]) -> list[str]:
    """Escaped labels, with namesakes told apart ("Kai Nakamura (2)"): a category axis would
    otherwise draw two mentors on one row."""
    seen: dict[str, int] = {}
    labels = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        labels.append(html.escape(name if seen[name] == 1 else f"{name} ({seen[name]})"))
    return labels


def mentor_heatmap(rates: pd.DataFrame, names: bool = True, max_rows: int = 60) -> go.Figure:
    """Mentor by element rates (lowest mean first). Labels are names only when `names` is True."""
    if rates.empty:
        return empty_figure("No mentor has enough observations to measure yet.")
    grid = rates.pivot_table(index="mentor_id", columns="element", values="rate_pct")
    n = rates.pivot_table(index="mentor_id", columns="element", values="observation_count")
    grid = grid.reindex(columns=list(ELEMENTS))
    n = n.reindex(index=grid.index, columns=list(ELEMENTS))
    order = grid.mean(axis=1).sort_values().index[:max_rows]
    grid, n = grid.loc[order], n.loc[order]
    lookup = rates.drop_duplicates("mentor_id").set_index("mentor_id")
    if names and "mentor_name" in lookup:
        labels = _unique([str(lookup.at[m, "mentor_name"]) for m in grid.index])
    else:
        labels = [f"Mentor {i + 1}" for i in range(len(grid.index))]
    fig = go.Figure(
        go.Heatmap(
            z=grid.values,
            x=[_label(e) for e in grid.columns],
            y=labels,
            customdata=n.values,
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=100,
            colorbar={"title": "% shown", "ticksuffix": "%"},
            hovertemplate="%{y}<br>%{x}: %{z:.0f}% of %{customdata} observations<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    title = f"The {len(grid.index)} mentors with the lowest average rates, element by element"
    return _finish(fig, title, height=max(420, 18 * len(grid.index) + 140))


def cooccurrence(lift: pd.DataFrame) -> go.Figure:
    """Lift of two elements appearing in the same note or comment (1 = independent)."""
    if lift.empty:
        return empty_figure("Not enough notes or comments mention two elements together.")
    labels = [_label(e) for e in ELEMENTS]
    matrix = pd.DataFrame(1.0, index=list(ELEMENTS), columns=list(ELEMENTS))
    counts = pd.DataFrame(0, index=list(ELEMENTS), columns=list(ELEMENTS))
    for _, row in lift.iterrows():
        matrix.at[row["element_a"], row["element_b"]] = matrix.at[
            row["element_b"], row["element_a"]
        ] = row["lift"]
        counts.at[row["element_a"], row["element_b"]] = counts.at[
            row["element_b"], row["element_a"]
        ] = row["both_count"]
    for e in ELEMENTS:
        matrix.at[e, e] = None
    fig = go.Figure(
        go.Heatmap(
            z=matrix.values,
            x=labels,
            y=labels,
            customdata=counts.values,
            text=[["" if pd.isna(v) else f"{v:.2f}" for v in row] for row in matrix.values],
            texttemplate="%{text}",
            colorscale=DIVERGING,
            # A fixed range around 1 (independence): lifts of 0.95 and 1.05 stay pale instead of
            # being stretched to the deepest colours.
            zmid=1.0,
            zmin=min(0.5, float(lift["lift"].min())),
            zmax=max(1.5, float(lift["lift"].max())),
            colorbar={"title": "lift"},
            hovertemplate="%{y} with %{x}: lift %{z:.2f} (%{customdata} texts with both)<extra></extra>",
        )
    )
    top = lift.loc[lift["lift"].idxmax()]
    if top["lift"] < 1.1:
        title = (
            "No two elements appear together much more than chance predicts "
            f"(highest: {top['label_a'].lower()} with {top['label_b'].lower()}, "
            f"{top['lift']:.2f}x)"
        )
    else:
        title = (
            f"{top['label_a']} and {top['label_b'].lower()} appear together most often: "
            f"{top['lift']:.1f}x what chance predicts"
        )
    fig.update_yaxes(autorange="reversed")
    return _finish(fig, title, height=440)


def perception_gap(gap: pd.DataFrame) -> go.Figure:
    """Self-assessment minus mentees' rating per element, paired by mentor and wave, with the
    95% interval and the number of pairs."""
    shown = gap.dropna(subset=["gap_pts"])
    if shown.empty:
        return empty_figure(
            "The perception gap needs mentors who both assessed themselves and were rated by "
            "their mentees in the same wave."
        )
    fig = go.Figure(
        go.Bar(
            y=shown["label"],
            x=shown["gap_pts"],
            orientation="h",
            marker={"color": [ELEMENT_COLOURS[e] for e in shown["element"]]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": shown["ci_high"] - shown["gap_pts"],
                "arrayminus": shown["gap_pts"] - shown["ci_low"],
                "color": "#333333",
            },
            text=[
                f"{g:+.0f} [{lo:+.0f}, {hi:+.0f}]  {p} pairs"
                for g, lo, hi, p in zip(
                    shown["gap_pts"], shown["ci_low"], shown["ci_high"], shown["pairs"], strict=True
                )
            ],
            textposition="outside",
            customdata=shown[["pairs", "mentors", "ci_low", "ci_high"]],
            hovertemplate="%{y}: self minus mentees %{x:+.1f} points (95% interval "
            "%{customdata[2]:+.1f} to %{customdata[3]:+.1f}; %{customdata[0]} mentor-waves, "
            "%{customdata[1]} mentors)<extra></extra>",
        )
    )
    widest = shown.loc[shown["gap_pts"].abs().idxmax()]
    clear = widest["ci_low"] > 0 or widest["ci_high"] < 0
    direction = "above" if widest["gap_pts"] > 0 else "below"
    title = (
        f"Mentors rate themselves {abs(widest['gap_pts']):.0f} points {direction} their mentees on "
        f"{widest['label'].lower()} [{widest['ci_low']:+.0f}, {widest['ci_high']:+.0f}]"
        if clear
        else "Mentors' self-assessments and their mentees' ratings are not distinguishable"
    )
    top = float(shown["ci_high"].max())
    fig.update_xaxes(
        range=[min(0.0, float(shown["ci_low"].min()) - 5), max(10.0, top * 1.6)],
        ticksuffix=" pts",
        title="Self-assessment minus mentees' rating (favourable answers)",
        zeroline=True,
    )
    fig.update_yaxes(autorange="reversed")
    return _finish(fig, title, height=380)


def trend_headline(changes: pd.DataFrame) -> str:
    tested = int(changes["p_value"].notna().sum()) if len(changes) else 0
    called = changes[changes["verdict"].isin(["up", "down"])] if len(changes) else changes
    if changes.empty or changes["pct"].isna().all():
        return "Not enough observations per period to show a trend"
    latest = changes.dropna(subset=["pct"]).sort_values("period_start").groupby("element").tail(1)
    moved = latest[latest["verdict"].isin(["up", "down"])]
    if not moved.empty:
        row = moved.loc[moved["change_pts"].abs().idxmax()]
        word = "rose" if row["verdict"] == "up" else "fell"
        return (
            f"{_label(row['element'])} {word} {abs(row['change_pts']):.0f} points in the latest "
            f"period [{row['change_low']:+.0f}, {row['change_high']:+.0f}], beyond chance across "
            f"{tested} tests"
        )
    if len(called):
        return (
            f"No change in the latest period beyond chance; {len(called)} of {tested} period-to-"
            "period changes are (Benjamini-Hochberg)"
        )
    return f"No period-to-period change is beyond chance ({tested} tests, Benjamini-Hochberg)"


def _hex_to_rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def trend(
    changes: pd.DataFrame,
    waves: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    targets: dict[str, float] | None = None,
) -> go.Figure:
    """Share per period and element with its 95% band; a change beyond chance (after correcting
    the view's tests together) is marked with a triangle. Survey waves shaded, events marked,
    the admin's targets (per element, for this source) drawn as dashed lines."""
    shown = changes.dropna(subset=["pct"]) if len(changes) else changes
    if shown.empty:
        return empty_figure("Not enough observations per period to show a trend.")
    fig = go.Figure()
    for element in ELEMENTS:
        part = shown[shown["element"] == element].sort_values("period_start")
        if part.empty:
            continue
        colour = ELEMENT_COLOURS[element]
        fig.add_scatter(
            x=list(part["period_start"]) + list(part["period_start"])[::-1],
            y=list(part["ci_high"]) + list(part["ci_low"])[::-1],
            fill="toself",
            mode="lines",
            fillcolor=_hex_to_rgba(colour, 0.15),
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            legendgroup=element,
        )
        fig.add_scatter(
            x=part["period_start"],
            y=part["pct"],
            mode="lines+markers",
            name=_label(element),
            legendgroup=element,
            line={"color": colour, "width": 2.5},
            customdata=part[["ci_low", "ci_high", "observation_count", "mentor_count", "verdict"]],
            hovertemplate="%{x|%b %Y}: %{y:.1f}% [%{customdata[0]:.1f}-%{customdata[1]:.1f}] "
            "(n=%{customdata[2]}, %{customdata[3]} mentors)<br>vs previous: %{customdata[4]}"
            "<extra>" + _label(element) + "</extra>",
        )
        target = (targets or {}).get(element)
        if target is not None:
            fig.add_scatter(
                x=[part["period_start"].min(), part["period_start"].max()],
                y=[target, target],
                mode="lines",
                line={"color": colour, "width": 1.5, "dash": "dash"},
                name=f"{_label(element)}: target {target:.0f}%",
                legendgroup=element,
                showlegend=False,
                hovertemplate=f"{_label(element)}: target {target:.0f}%<extra></extra>",
            )
        moved = part[part["verdict"].isin(["up", "down"])]
        if len(moved):
            fig.add_scatter(
                x=moved["period_start"],
                y=moved["pct"],
                mode="markers",
                marker={
                    "symbol": [
                        "triangle-up" if v == "up" else "triangle-down" for v in moved["verdict"]
                    ],
                    "size": 14,
                    "color": colour,
                    "line": {"color": "#222222", "width": 1},
                },
                name=f"{_label(element)}: change beyond chance",
                legendgroup=element,
                showlegend=False,
                hoverinfo="skip",
            )
    for _, wave in (waves if waves is not None else pd.DataFrame()).iterrows():
        fig.add_vrect(
            x0=wave["first_response_on"],
            x1=wave["last_response_on"],
            fillcolor="#888888",
            opacity=0.15,
            line_width=0,
            annotation_text=html.escape(f"survey {wave['wave']}"),
            # at the foot, so the labels of programme events along the top never run into them
            annotation_position="bottom left",
            annotation_font_size=10,
        )
    for _, event in (events if events is not None else pd.DataFrame()).iterrows():
        fig.add_vline(
            x=pd.Timestamp(event["event_date"]).timestamp() * 1000,
            line_dash="dash",
            line_color="#444444",
        )
        fig.add_annotation(
            x=event["event_date"],
            y=1.02,
            yref="paper",
            showarrow=False,
            text=html.escape(str(event["label"])),
            font={"size": 11},
            xanchor="left",
        )
    fig.update_yaxes(range=[0, 100], ticksuffix="%", title="Share of observations")
    fig.update_layout(legend={"orientation": "h", "y": -0.15}, hovermode="closest")
    return _finish(fig, trend_headline(changes), height=460)


def wave_comparison(waves: pd.DataFrame) -> go.Figure:
    """Favourable share per survey wave and element, with mentor-clustered 95% intervals."""
    shown = waves.dropna(subset=["pct"]) if len(waves) else waves
    if shown.empty:
        return empty_figure("No survey waves with enough respondents have been loaded.")
    fig = go.Figure()
    for element in ELEMENTS:
        part = shown[shown["element"] == element]
        if part.empty:
            continue
        fig.add_bar(
            name=_label(element),
            x=[html.escape(str(w)) for w in part["wave"]],
            y=part["pct"],
            marker={"color": ELEMENT_COLOURS[element]},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": part["ci_high"] - part["pct"],
                "arrayminus": part["pct"] - part["ci_low"],
                "color": "#333333",
            },
            customdata=part[["ci_low", "ci_high", "observation_count", "mentors"]],
            hovertemplate="%{x}: %{y:.1f}% favourable [%{customdata[0]:.1f}-%{customdata[1]:.1f}]"
            " (n=%{customdata[2]}, %{customdata[3]} mentors)<extra>" + _label(element) + "</extra>",
        )
    fig.update_yaxes(range=[0, 100], ticksuffix="%", title="Favourable answers")
    # Wave labels such as "2026 Q4" are names, not dates to spread along a time axis.
    fig.update_xaxes(type="category", title="Survey wave")
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.3})
    return _finish(fig, wave_headline(waves), height=420)


def wave_headline(waves: pd.DataFrame) -> str:
    shown = waves.dropna(subset=["pct"]) if len(waves) else waves
    order = list(dict.fromkeys(shown.sort_values("wave")["wave"])) if len(shown) else []
    if not order:
        return "Favourable answers per survey wave"
    if len(order) < 2:
        return f"Survey wave {order[0]}: mentees' favourable answers per element"
    return (
        f"Mentees' favourable answers in {len(order)} survey waves ({order[0]} to {order[-1]}), "
        "with 95% intervals"
    )


def impact(effects: pd.DataFrame, title_event: str) -> go.Figure:
    """The difference-in-differences per element with its 95% interval: bars that cross zero are
    effects chance could produce."""
    shown = effects.dropna(subset=["effect_pts"])
    if shown.empty:
        return empty_figure(
            "Too few mentors were seen both before and after the event in both groups."
        )
    fig = go.Figure(
        go.Bar(
            y=shown["label"],
            x=shown["effect_pts"],
            orientation="h",
            marker={
                "color": [ELEMENT_COLOURS[e] for e in shown["element"]],
                "opacity": [1.0 if c else 0.45 for c in shown["called"]],
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": shown["ci_high"] - shown["effect_pts"],
                "arrayminus": shown["effect_pts"] - shown["ci_low"],
                "color": "#333333",
            },
            text=[
                f"{e:+.1f} [{lo:+.1f}, {hi:+.1f}]" + ("" if c else " (chance could do this)")
                for e, lo, hi, c in zip(
                    shown["effect_pts"],
                    shown["ci_low"],
                    shown["ci_high"],
                    shown["called"],
                    strict=True,
                )
            ],
            textposition="outside",
            customdata=shown[["p", "q", "treated_mentors", "control_mentors"]],
            hovertemplate="%{y}: %{x:+.1f} points beyond the others' change (p %{customdata[0]:.3f},"
            " q %{customdata[1]:.3f}; %{customdata[2]} treated, %{customdata[3]} other mentors)"
            "<extra></extra>",
        )
    )
    called = shown[shown["called"]]
    if len(called):
        names = ", ".join(_label(e).lower() for e in called["element"])
        title = (
            f"{title_event} raised {names} beyond chance"
            if (called["effect_pts"] > 0).all()
            else f"{title_event} changed {names} beyond chance"
        )
    else:
        title = f"{title_event}: no element changed beyond what chance produces"
    spread = float(max(shown["ci_high"].abs().max(), shown["ci_low"].abs().max()))
    fig.update_xaxes(
        range=[-spread * 1.7, spread * 1.9], ticksuffix=" pts", zeroline=True, title="Effect"
    )
    fig.update_yaxes(autorange="reversed")
    return _finish(fig, title, height=360)


def impact_series(series: pd.DataFrame, event_date: object, element: str) -> go.Figure:
    """The treated mentors and the others month by month on one element, with 95% bands: the
    pre-trend to check before believing a difference-in-differences."""
    part = series[(series["element"] == element)].dropna(subset=["pct"])
    if part.empty:
        return empty_figure("Too few mentors per month in one of the groups to draw the series.")
    fig = go.Figure()
    for group, colour, label in (
        ("treated", ELEMENT_COLOURS[element], "Mentors the event applied to"),
        ("others", "#555555", "The other mentors"),
    ):
        mine = part[part["group"] == group].sort_values("period_start")
        if mine.empty:
            continue
        fig.add_scatter(
            x=list(mine["period_start"]) + list(mine["period_start"])[::-1],
            y=list(mine["ci_high"]) + list(mine["ci_low"])[::-1],
            fill="toself",
            mode="lines",
            fillcolor=_hex_to_rgba(colour, 0.15),
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
        )
        fig.add_scatter(
            x=mine["period_start"],
            y=mine["pct"],
            mode="lines+markers",
            name=label,
            line={"color": colour, "width": 2.5},
            customdata=mine[["ci_low", "ci_high", "mentors"]],
            hovertemplate="%{x|%b %Y}: %{y:.1f}% [%{customdata[0]:.1f}-%{customdata[1]:.1f}] "
            "(%{customdata[2]} mentors)<extra></extra>",
        )
    fig.add_vline(
        x=pd.Timestamp(event_date).timestamp() * 1000, line_dash="dash", line_color="#444444"
    )
    fig.update_yaxes(range=[0, 100], ticksuffix="%", title="Share of observations")
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _finish(
        fig,
        f"{_label(element)} month by month: before the event the two lines should run together",
        height=400,
    )


def segment_heatmap(cells: pd.DataFrame, segment: str, k: int) -> go.Figure:
    """Element frequency per segment value, n in each cell; hidden cells say why."""
    if cells.empty:
        return empty_figure(f"No observations for any {segment} with these filters.")
    values = sorted(cells["segment_value"].unique())
    z: list[list[float | None]] = []
    hidden_z: list[list[int | None]] = []
    text: list[list[str]] = []
    hover_n: list[list[str]] = []
    hidden_text: list[list[str]] = []
    for value in values:
        row_z: list[float | None] = []
        row_hidden: list[int | None] = []
        row_text: list[str] = []
        row_n: list[str] = []
        row_hidden_text: list[str] = []
        for element in ELEMENTS:
            cell = cells[(cells["segment_value"] == value) & (cells["element"] == element)]
            hidden = not cell.empty and bool(cell["suppressed"].iloc[0])
            if cell.empty or hidden:
                row_z.append(None)
                row_text.append("")
                row_n.append("")
                row_hidden.append(0 if hidden else None)
                row_hidden_text.append(f"fewer than {k}" if hidden else "")
            else:
                pct = float(cell["frequency_pct"].iloc[0])
                n = int(cell["observation_count"].iloc[0])
                low, high = float(cell["ci_low"].iloc[0]), float(cell["ci_high"].iloc[0])
                row_z.append(pct)
                row_text.append(f"{pct:.0f}% [{low:.0f}-{high:.0f}]<br>n={n:,}")
                row_n.append(f"{n:,}")
                row_hidden.append(None)
                row_hidden_text.append("")
        z.append(row_z)
        text.append(row_text)
        hover_n.append(row_n)
        hidden_z.append(row_hidden)
        hidden_text.append(row_hidden_text)
    x = [_label(e) for e in ELEMENTS]
    y = [html.escape(str(v)) for v in values]
    fig = go.Figure()
    # Hidden cells are drawn as grey cells that say why, so a chart whose every group is hidden
    # still explains itself (a heatmap draws no text on empty cells).
    fig.add_trace(
        go.Heatmap(
            z=hidden_z,
            x=x,
            y=y,
            text=hidden_text,
            texttemplate="%{text}",
            colorscale=[[0, "#dddddd"], [1, "#dddddd"]],
            showscale=False,
            hovertemplate=f"%{{y}} / %{{x}}: fewer than {k} people, hidden<extra></extra>",
            name="hidden",
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            text=text,
            texttemplate="%{text}",
            customdata=hover_n,
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=100,
            colorbar={"title": "% shown", "ticksuffix": "%"},
            hovertemplate="%{y} / %{x}: %{z:.1f}% (n=%{customdata})<extra></extra>",
            name="shown",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    return _finish(fig, segment_headline(cells, segment), height=max(320, 70 * len(values) + 140))


def segment_headline(cells: pd.DataFrame, segment: str) -> str:
    """The widest difference between two groups, claimed only when their intervals do not
    overlap."""
    visible = cells[~cells["suppressed"].astype(bool)].dropna(subset=["frequency_pct"])
    in_view = cells["segment_value"].unique()
    if visible.empty:
        if len(in_view) == 1:
            return f"{in_view[0]} is hidden to protect anonymity"
        return f"Every {segment} is too small to show on its own"
    groups = visible["segment_value"].unique()
    if len(groups) == 1:
        if len(in_view) == 1:  # nothing hidden: the filters (or the data) hold no other group
            return f"Only {groups[0]} is in view, so there is no other {segment} to compare it with"
        return (
            f"Only {groups[0]} is large enough to show; every other {segment} in view is hidden "
            "to protect anonymity"
        )
    best: tuple[float, pd.Series, pd.Series] | None = None
    for _, part in visible.groupby("element"):
        low = part.loc[part["frequency_pct"].idxmin()]
        high = part.loc[part["frequency_pct"].idxmax()]
        if low["ci_high"] < high["ci_low"]:
            gap = float(high["frequency_pct"] - low["frequency_pct"])
            if best is None or gap > best[0]:
                best = (gap, low, high)
    if best is None:
        return f"No {segment} differs from another beyond what chance produces (see the intervals)"
    _, low, high = best
    return (
        f"{_label(low['element'])} differs most by {segment}: {low['frequency_pct']:.0f}% "
        f"[{low['ci_low']:.0f}-{low['ci_high']:.0f}] in {low['segment_value']} vs "
        f"{high['frequency_pct']:.0f}% [{high['ci_low']:.0f}-{high['ci_high']:.0f}] in "
        f"{high['segment_value']}"
    )


def mentor_scorecard(mentor: pd.DataFrame, population: pd.DataFrame, name: str) -> go.Figure:
    """One mentor's partially pooled rate per element and source, with its 95% interval, beside
    the programme's level for the same source (like for like)."""
    if mentor.empty:
        return empty_figure("This mentor has too few observations to measure yet.")
    merged = mentor.merge(
        population[["element", "source", "pct"]].rename(columns={"source": "source_kind"}),
        on=["element", "source_kind"],
        how="left",
    ).sort_values(
        ["source_kind", "element"],
        key=lambda c: c.map(
            {e: i for i, e in enumerate(ELEMENTS)} | {"mentee_rating": 0, "session_note": 1}
        ),
    )
    categories = [
        f"{_label(e)}<br>{SOURCE_LABELS[src].lower()}"
        for e, src in zip(merged["element"], merged["source_kind"], strict=True)
    ]
    fig = go.Figure()
    fig.add_bar(
        x=categories,
        y=merged["pct"],
        name="All mentors in view (same source)",
        marker={"color": "#dddddd"},
        hovertemplate="%{x}: all mentors %{y:.0f}%<extra></extra>",
    )
    fig.add_scatter(
        x=categories,
        y=merged["rate_pct"],
        mode="markers",
        name=html.escape(name),
        marker={"color": [ELEMENT_COLOURS[e] for e in merged["element"]], "size": 15},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": merged["high_pct"] - merged["rate_pct"],
            "arrayminus": merged["rate_pct"] - merged["low_pct"],
            "color": "#555555",
        },
        customdata=merged[["shown_count", "observation_count", "raw_pct"]],
        hovertemplate="%{x}: %{y:.0f}% partially pooled (raw %{customdata[2]:.0f}%: "
        "%{customdata[0]} of %{customdata[1]})<extra></extra>",
    )
    below = merged[merged["high_pct"] < merged["pct"]]
    if len(below):
        worst = below.loc[(below["pct"] - below["high_pct"]).idxmax()]
        title = (
            f"{name}: {_label(worst['element']).lower()} in "
            f"{SOURCE_LABELS[worst['source_kind']].lower()} is below all mentors "
            f"({worst['rate_pct']:.0f}% [{worst['low_pct']:.0f}-{worst['high_pct']:.0f}] vs "
            f"{worst['pct']:.0f}%)"
        )
    else:
        title = f"{name}: no element is clearly below all mentors in view"
    fig.update_yaxes(range=[0, 105], ticksuffix="%")
    fig.update_layout(legend={"orientation": "h", "y": -0.3})
    return _finish(fig, title, height=440)


def pair_silence(pairs_at_risk: pd.DataFrame, all_pairs: int, threshold: int) -> go.Figure:
    """How long the at-risk pairs have gone without a session."""
    if pairs_at_risk.empty:
        return empty_figure(f"No pair has gone {threshold} days without a session.")
    days = pairs_at_risk["days_since_last_session"].clip(upper=365)
    fig = go.Figure(
        go.Histogram(
            x=days,
            xbins={"size": 15},
            marker={"color": "#D55E00"},
            hovertemplate="%{x} days: %{y} pairs<extra></extra>",
        )
    )
    fig.update_xaxes(title="Days since the last session (capped at 365)")
    fig.update_yaxes(title="Pairs")
    title = (
        f"{len(pairs_at_risk)} of {all_pairs} pairs have gone {threshold}+ days without a session"
    )
    return _finish(fig, title, height=380)


def mentor_scorecard_tested(
    mentor: pd.DataFrame,
    population: pd.DataFrame,
    name: str,
    flagged: pd.DataFrame,
    compared: bool,
) -> go.Figure:
    """The scorecard titled by the coaching list's tests (like for like, every mentor's
    comparisons corrected together) rather than by this mentor's own intervals, so the Mentors
    page never headlines a gap chance could produce. `flagged`: this mentor's rows of the coaching
    list; `compared`: whether any of their figures could be tested at all."""
    fig = mentor_scorecard(mentor, population, name)
    if not fig.data:
        return fig
    if len(flagged):
        worst = flagged.sort_values("q_value").iloc[0]
        title = (
            f"{name}: {_label(worst['element']).lower()} in "
            f"{SOURCE_LABELS[worst['source_kind']].lower()} is below other mentors beyond chance "
            f"({worst['rate_pct']:.0f}% [{worst['low_pct']:.0f}-{worst['high_pct']:.0f}] vs "
            f"{worst['benchmark_pct']:.0f}%, q = {worst['q_value']:.3f})"
        )
    elif compared:
        title = f"{name}: no element is below other mentors beyond what chance produces"
    else:
        title = f"{name}: too few observations to compare with other mentors yet"
    return _finish(fig, title, height=440)
