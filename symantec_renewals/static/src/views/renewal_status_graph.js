import { registry } from "@web/core/registry";
import { SEP } from "@web/views/graph/graph_model";
import { GraphRenderer } from "@web/views/graph/graph_renderer";
import { graphView } from "@web/views/graph/graph_view";

// Odoo's own success, warning, danger, info and primary colours
// ($o-success, $o-warning, $o-danger, $o-info, $o-brand-primary), as the
// lists' badges of the same values show them.
const SUCCESS = "#28a745";
const WARNING = "#ffac00";
const WARNING_DARK = "#e07b00";
const DANGER = "#dc3545";
const INFO = "#17a2b8";
const PRIMARY = "#714b67";

/**
 * The colour of each value of the renewal outcome (the renewal analysis) and
 * of the renewal status (the renewal pipeline): renewed on time is good news,
 * late and reinstated a warning, lapsed a loss.
 */
export const RENEWAL_STATUS_COLORS = {
    outcome: {
        on_time: SUCCESS,
        late: WARNING,
        reinstated: WARNING_DARK,
        lapsed: DANGER,
        open: INFO,
    },
    renewal_status: {
        upcoming: INFO,
        quoted: PRIMARY,
        late: WARNING,
        reinstatement: WARNING_DARK,
        won: SUCCESS,
        lapsed: DANGER,
    },
};

/**
 * A graph whose series (bars or lines) of a renewal outcome or status always
 * have that value's colour, whichever values the data holds and in whatever
 * order they come: Odoo's graph colours its series by their position, which
 * drew "On time" in red when no late renewal came first.
 */
export class RenewalStatusGraphRenderer extends GraphRenderer {
    /**
     * The colour of a group label of the graph's groupby at ``index``.
     * @param {number} index
     * @param {string} label
     * @returns {string|undefined}
     */
    statusColor(index, label) {
        const { fields, groupBy } = this.model.metaData;
        const fieldName = groupBy[index]?.fieldName;
        const colors = RENEWAL_STATUS_COLORS[fieldName];
        const selection = fields[fieldName]?.selection;
        if (!colors || !selection) {
            return undefined;
        }
        const option = selection.find(([, optionLabel]) => optionLabel === label);
        return option && colors[option[0]];
    }

    /**
     * The colour of a series: its label holds one label per groupby after
     * the first, which is the x axis.
     * @param {Object} dataset
     * @returns {string|undefined}
     */
    datasetColor(dataset) {
        const labels = (dataset.label || "").split(SEP);
        for (const [position, label] of labels.entries()) {
            const color = this.statusColor(position + 1, label);
            if (color) {
                return color;
            }
        }
        return undefined;
    }

    getBarChartData() {
        const data = super.getBarChartData();
        for (const dataset of data.datasets) {
            // (The stacked bars' "Sum" line keeps its own colour.)
            const color = dataset.type !== "line" && this.datasetColor(dataset);
            if (color) {
                dataset.backgroundColor = color;
            }
        }
        return data;
    }

    getLineChartData() {
        const data = super.getLineChartData();
        for (const dataset of data.datasets) {
            const color = this.datasetColor(dataset);
            if (color) {
                dataset.borderColor = color;
                dataset.pointBackgroundColor = color;
                dataset.hoverBackgroundColor = color;
            }
        }
        return data;
    }
}

export const renewalStatusGraphView = {
    ...graphView,
    Renderer: RenewalStatusGraphRenderer,
};

registry.category("views").add("symantec_renewals_status_graph", renewalStatusGraphView);
