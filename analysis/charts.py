"""Pure Plotly figure builders with one colour-blind-safe palette (a fixed colour per element) and
one explicit template. Every title states the finding; every hover shows n. The same figure feeds
the page, the image, the HTML snapshot and the brief."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from analysis.model import ELEMENT_LABELS, ELEMENTS

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


def _finish(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    # Titles may quote uploaded text (segment values); Plotly renders a subset of HTML, so escape.
    fig.update_layout(template=TEMPLATE, title={"text": html.escape(title)}, height=height)
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


def overview_headline(summary: pd.DataFrame) -> str:
    """'Risk-taking is the least common element: 31% of observations.'"""
    shown = summary.dropna(subset=["frequency_pct"])
    if shown.empty:
        return "Not enough observations to compare the four elements"
    low = shown.loc[shown["frequency_pct"].idxmin()]
    high = shown.loc[shown["frequency_pct"].idxmax()]
    return (
        f"{low['label']} is the least common element: {low['frequency_pct']:.0f}% of observations "
        f"(vs {high['frequency_pct']:.0f}% for {high['label'].lower()})"
    )


def element_overview(summary: pd.DataFrame) -> go.Figure:
    """Frequency and coverage per element, side by side, with n on hover and beside each bar."""
    shown = summary.dropna(subset=["frequency_pct"])
    if shown.empty:
        return empty_figure("No element has enough observations behind it yet.")
    labels = [_label(e) for e in shown["element"]]
    colours = [ELEMENT_COLOURS[e] for e in shown["element"]]
    fig = go.Figure()
    fig.add_bar(
        name="Frequency: share of observations",
        y=labels,
        x=shown["frequency_pct"],
        orientation="h",
        marker={"color": colours},
        text=[
            f"{v:.0f}%  (n={n:,})"
            for v, n in zip(shown["frequency_pct"], shown["observation_count"], strict=True)
        ],
        textposition="outside",
        customdata=shown[["shown_count", "observation_count"]],
        hovertemplate="%{y}<br>shows up in %{customdata[0]:,} of %{customdata[1]:,} observations"
        " (%{x:.1f}%)<extra></extra>",
    )
    fig.add_bar(
        name="Coverage: share of mentors showing it at least half the time",
        y=labels,
        x=shown["coverage_pct"],
        orientation="h",
        marker={"color": colours, "pattern": {"shape": "/"}, "opacity": 0.55},
        text=[
            "" if pd.isna(v) else f"{v:.0f}% of {m} mentors"
            for v, m in zip(shown["coverage_pct"], shown["mentors_measured"], strict=True)
        ],
        textposition="outside",
        customdata=shown[["mentors_covered", "mentors_measured"]],
        hovertemplate="%{y}<br>%{customdata[0]} of %{customdata[1]} measured mentors show it at least"
        " half the time (%{x:.1f}%)<extra></extra>",
    )
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.15}, bargap=0.25)
    fig.update_xaxes(range=[0, 118], ticksuffix="%", title="")
    fig.update_yaxes(autorange="reversed")
    return _finish(fig, overview_headline(summary), height=440)


def rate_distribution(rates: pd.DataFrame) -> go.Figure:
    """Each measured mentor's rate per element as a box with every mentor as a point."""
    if rates.empty:
        return empty_figure("No mentor has enough observations to measure yet.")
    fig = go.Figure()
    spreads = {}
    for element in ELEMENTS:
        part = rates[rates["element"] == element]
        if part.empty:
            continue
        spreads[element] = part["rate_pct"].quantile(0.75) - part["rate_pct"].quantile(0.25)
        fig.add_box(
            name=_label(element),
            y=part["rate_pct"],
            boxpoints="all",
            jitter=0.5,
            pointpos=0,
            marker={"color": ELEMENT_COLOURS[element], "size": 5, "opacity": 0.6},
            line={"color": ELEMENT_COLOURS[element]},
            customdata=part[["shown_count", "observation_count"]],
            hovertemplate="%{y:.0f}% (%{customdata[0]} of %{customdata[1]} observations)<extra></extra>",
        )
    widest = max(spreads, key=lambda e: spreads[e])
    fig.update_yaxes(range=[-3, 103], ticksuffix="%", title="Share of a mentor's observations")
    fig.update_layout(showlegend=False)
    title = (
        f"Mentors differ most on {_label(widest).lower()}: the middle half ranges over "
        f"{spreads[widest]:.0f} points ({rates['mentor_id'].nunique()} mentors)"
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
    """Mentees' view against mentors' self-assessment, per element (dumbbell)."""
    shown = gap.dropna(subset=["mentee_pct", "self_pct"])
    if shown.empty:
        return empty_figure(
            "Both mentee ratings and self-assessments are needed for the perception gap."
        )
    fig = go.Figure()
    for _, row in shown.iterrows():
        fig.add_scatter(
            x=[row["mentee_pct"], row["self_pct"]],
            y=[row["label"], row["label"]],
            mode="lines",
            line={"color": "#bbbbbb", "width": 6},
            showlegend=False,
            hoverinfo="skip",
        )
    fig.add_scatter(
        x=shown["mentee_pct"],
        y=shown["label"],
        mode="markers",
        name="Mentees' view",
        marker={
            "color": [ELEMENT_COLOURS[e] for e in shown["element"]],
            "size": 16,
            "symbol": "circle",
        },
        customdata=shown[["mentee_n"]],
        hovertemplate="%{y}<br>mentees: %{x:.0f}% favourable (n=%{customdata[0]})<extra></extra>",
    )
    fig.add_scatter(
        x=shown["self_pct"],
        y=shown["label"],
        mode="markers",
        name="Mentors' self-assessment",
        marker={
            "color": "#ffffff",
            "size": 16,
            "symbol": "diamond",
            "line": {"color": [ELEMENT_COLOURS[e] for e in shown["element"]], "width": 3},
        },
        customdata=shown[["self_n"]],
        hovertemplate="%{y}<br>self: %{x:.0f}% favourable (n=%{customdata[0]})<extra></extra>",
    )
    widest = shown.loc[shown["gap_pts"].abs().idxmax()]
    direction = "above" if widest["gap_pts"] > 0 else "below"
    title = (
        f"Mentors rate themselves {abs(widest['gap_pts']):.0f} points {direction} their mentees on "
        f"{widest['label'].lower()}"
    )
    fig.update_xaxes(range=[0, 100], ticksuffix="%", title="Favourable answers")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _finish(fig, title, height=400)


def trend_headline(changes: pd.DataFrame) -> str:
    latest = changes.dropna(subset=["frequency_pct"])
    if latest.empty:
        return "Not enough observations per period to show a trend"
    last = latest.sort_values("period_start").groupby("element").tail(1)
    moved = last[last["verdict"].isin(["up", "down"])]
    if not moved.empty:
        row = moved.loc[moved["change_pts"].abs().idxmax()]
        word = "rose" if row["verdict"] == "up" else "fell"
        return (
            f"{_label(row['element'])} {word} {abs(row['change_pts']):.0f} points in the latest period, "
            f"to {row['frequency_pct']:.0f}% of observations"
        )
    return "No element changed clearly in the latest period (two-proportion test, 5% level)"


def trend(
    changes: pd.DataFrame, waves: pd.DataFrame | None = None, events: pd.DataFrame | None = None
) -> go.Figure:
    """Frequency per period and element, with survey waves shaded and program events marked."""
    shown = changes.dropna(subset=["frequency_pct"])
    if shown.empty:
        return empty_figure("Not enough observations per period to show a trend.")
    fig = go.Figure()
    for element in ELEMENTS:
        part = shown[shown["element"] == element].sort_values("period_start")
        if part.empty:
            continue
        fig.add_scatter(
            x=part["period_start"],
            y=part["frequency_pct"],
            mode="lines+markers",
            name=_label(element),
            line={"color": ELEMENT_COLOURS[element], "width": 2.5},
            customdata=part[["shown_count", "observation_count", "verdict"]],
            hovertemplate="%{x|%b %Y}: %{y:.1f}% (%{customdata[0]} of %{customdata[1]} observations)"
            "<br>vs previous: %{customdata[2]}<extra>" + _label(element) + "</extra>",
        )
    for _, wave in (waves if waves is not None else pd.DataFrame()).iterrows():
        fig.add_vrect(
            x0=wave["first_response_on"],
            x1=wave["last_response_on"],
            fillcolor="#888888",
            opacity=0.15,
            line_width=0,
            annotation_text=html.escape(f"survey {wave['wave']}"),
            annotation_position="top left",
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
    """Favourable share per survey wave and element."""
    if waves.empty:
        return empty_figure("No survey waves have been loaded.")
    fig = go.Figure()
    for element in ELEMENTS:
        part = waves[waves["element"] == element]
        if part.empty:
            continue
        fig.add_bar(
            name=_label(element),
            x=[html.escape(str(w)) for w in part["wave"]],
            y=part["frequency_pct"],
            marker={"color": ELEMENT_COLOURS[element]},
            customdata=part[["shown_count", "observation_count"]],
            hovertemplate="%{x}: %{y:.1f}% favourable (%{customdata[0]} of %{customdata[1]})<extra>"
            + _label(element)
            + "</extra>",
        )
    fig.update_yaxes(range=[0, 100], ticksuffix="%", title="Favourable answers")
    # Wave labels such as "2026-11" are names, not dates to spread along a time axis.
    fig.update_xaxes(type="category", title="Survey wave")
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.3})
    return _finish(fig, wave_headline(waves), height=420)


def wave_headline(waves: pd.DataFrame) -> str:
    order = waves.drop_duplicates("wave").sort_values("wave_start")["wave"].tolist()
    if len(order) < 2:
        return f"Survey wave {order[0] if order else ''}: favourable answers per element"
    first = waves[waves["wave"] == order[0]].set_index("element")["frequency_pct"]
    last = waves[waves["wave"] == order[-1]].set_index("element")["frequency_pct"]
    change = (last - first).dropna()
    if change.empty:
        return "Favourable answers per survey wave"
    element = change.abs().idxmax()
    word = "up" if change[element] > 0 else "down"
    return (
        f"{_label(element)}: {last[element]:.0f}% favourable in {order[-1]}, {word} "
        f"{abs(change[element]):.0f} points since {order[0]}"
    )


def segment_heatmap(cells: pd.DataFrame, segment: str, k: int) -> go.Figure:
    """Element frequency per segment value, n in each cell; hidden cells say why."""
    if cells.empty:
        return empty_figure(f"No observations for any {segment} with these filters.")
    values = sorted(cells["segment_value"].unique())
    z, text, hover_n, hidden_z, hidden_text = [], [], [], [], []
    for value in values:
        row_z, row_text, row_n, row_hidden, row_hidden_text = [], [], [], [], []
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
                row_z.append(pct)
                row_text.append(f"{pct:.0f}%<br>n={n:,}")
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
    visible = cells[~cells["suppressed"].astype(bool)].dropna(subset=["frequency_pct"])
    if visible.empty:
        return f"Every {segment} is too small to show on its own"
    groups = visible["segment_value"].unique()
    if len(groups) == 1:
        return (
            f"Only {groups[0]} is large enough to show; every other {segment} is hidden "
            "(fewer than the anonymity minimum)"
        )
    spread = visible.groupby("element")["frequency_pct"].agg(["min", "max"])
    element = (spread["max"] - spread["min"]).idxmax()
    part = visible[visible["element"] == element]
    low = part.loc[part["frequency_pct"].idxmin()]
    high = part.loc[part["frequency_pct"].idxmax()]
    return (
        f"{_label(element)} varies most by {segment}: {low['frequency_pct']:.0f}% in {low['segment_value']} "
        f"vs {high['frequency_pct']:.0f}% in {high['segment_value']}"
    )


def mentor_scorecard(mentor: pd.DataFrame, population: pd.DataFrame, name: str) -> go.Figure:
    """One mentor's rate per element (with its 95% interval) against the population's."""
    if mentor.empty:
        return empty_figure("This mentor has too few observations to measure yet.")
    fig = go.Figure()
    fig.add_bar(
        x=[_label(e) for e in population["element"]],
        y=population["frequency_pct"],
        name="All mentors",
        marker={"color": "#dddddd"},
        hovertemplate="%{x}: all mentors %{y:.0f}%<extra></extra>",
    )
    fig.add_scatter(
        x=[_label(e) for e in mentor["element"]],
        y=mentor["rate_pct"],
        mode="markers",
        name=html.escape(name),
        marker={"color": [ELEMENT_COLOURS[e] for e in mentor["element"]], "size": 16},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": mentor["high_pct"] - mentor["rate_pct"],
            "arrayminus": mentor["rate_pct"] - mentor["low_pct"],
            "color": "#555555",
        },
        customdata=mentor[["shown_count", "observation_count"]],
        hovertemplate="%{x}: %{y:.0f}% (%{customdata[0]} of %{customdata[1]} observations)<extra></extra>",
    )
    merged = mentor.merge(population[["element", "frequency_pct"]], on="element")
    merged["gap"] = merged["rate_pct"] - merged["frequency_pct"]
    weakest = merged.loc[merged["gap"].idxmin()]
    title = (
        f"{name}: {_label(weakest['element']).lower()} is furthest from the population "
        f"({weakest['rate_pct']:.0f}% vs {weakest['frequency_pct']:.0f}%)"
    )
    fig.update_yaxes(range=[0, 105], ticksuffix="%")
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _finish(fig, title, height=400)


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
