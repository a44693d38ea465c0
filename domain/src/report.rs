//! The catalogue's figures and the statistical section of the yearly openness self-inspection
//! report (政务公开自查报告), as JSON, CSV and Markdown in the report's own wording.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::catalogue::{Category, Handling, ServiceItem, Window, WindowKind};
use crate::stats::Summary;

/// What the catalogue offers, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueFigures {
    /// Active items per category (`licensing`, `non_licensing`, …).
    pub items_by_category: BTreeMap<String, u32>,
    /// Active items per handling (`immediate`, `committed`).
    pub items_by_handling: BTreeMap<String, u32>,
    /// All active items.
    pub items: u32,
    /// The sum of their statutory limits, in working days.
    pub statutory_days: u32,
    /// The sum of their promised limits, in working days.
    pub promised_days: u32,
    /// statutory − promised: the working days the hall's promises cut.
    pub days_cut: u32,
    /// The sum of their procedure steps now.
    pub procedure_steps: u32,
    /// The steps the reform removed.
    pub steps_removed: u32,
    /// Open windows per kind (`permanent`, `proxy`, `comprehensive`).
    pub windows_by_kind: BTreeMap<String, u32>,
    /// All open windows.
    pub windows: u32,
}

/// Counts the active items and open windows.
pub fn catalogue_figures(items: &[ServiceItem], windows: &[Window]) -> CatalogueFigures {
    let active: Vec<_> = items.iter().filter(|i| i.active).collect();
    let mut by_category: BTreeMap<String, u32> = Category::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), 0))
        .collect();
    let mut by_handling: BTreeMap<String, u32> = Handling::ALL
        .iter()
        .map(|h| (h.as_str().to_owned(), 0))
        .collect();
    for item in &active {
        *by_category
            .entry(item.category.as_str().to_owned())
            .or_default() += 1;
        *by_handling
            .entry(item.handling.as_str().to_owned())
            .or_default() += 1;
    }
    let mut by_kind: BTreeMap<String, u32> = WindowKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), 0))
        .collect();
    let open: Vec<_> = windows.iter().filter(|w| w.active).collect();
    for window in &open {
        *by_kind.entry(window.kind.as_str().to_owned()).or_default() += 1;
    }
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    CatalogueFigures {
        items_by_category: by_category,
        items_by_handling: by_handling,
        items: count(active.len()),
        statutory_days: active.iter().map(|i| i.statutory_days).sum(),
        promised_days: active.iter().map(|i| i.promised_days).sum(),
        days_cut: active.iter().map(|i| i.days_cut()).sum(),
        procedure_steps: active.iter().map(|i| count(i.procedure.len())).sum(),
        steps_removed: active.iter().map(|i| i.steps_removed).sum(),
        windows_by_kind: by_kind,
        windows: count(open.len()),
    }
}

/// The statistical section of a year's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearReport {
    /// The report's year.
    pub year: i32,
    /// The first day counted.
    pub from: NaiveDate,
    /// The last day counted, and the day the figures are judged at.
    pub through: NaiveDate,
    /// The catalogue.
    pub catalogue: CatalogueFigures,
    /// The cases received from `from` through `through`, as they stood at its end.
    pub cases: Summary,
}

/// A count that may be missing, as the report prints it.
fn count(n: Option<i64>) -> String {
    n.map_or_else(|| "—".to_owned(), |n| n.to_string())
}

fn figure(map: &BTreeMap<String, u32>, key: &str) -> u32 {
    map.get(key).copied().unwrap_or_default()
}

/// A rate as the report prints it: `100%`, `98.8%`; `—` when there is none.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        None => "—".to_owned(),
        Some(rate) => {
            let tenths = (rate * 1000.0).round() / 10.0;
            if tenths.fract() == 0.0 {
                format!("{tenths:.0}%")
            } else {
                format!("{tenths:.1}%")
            }
        }
    }
}

impl YearReport {
    /// The section in Chinese, in the 2012 report's wording.
    pub fn markdown(&self) -> String {
        let c = &self.catalogue;
        let s = &self.cases;
        format!(
            "# {year}年政务公开自查报告（统计部分）\n\n\
             统计期间：{from} 至 {through}。\n\n\
             截止今年{month}月份，政务大厅共受理各类办件{received}件，其中：即办件{immediate}件、承诺件{committed}件，\
             办结{completed}件，按时办结率{rate}。\n\n\
             大厅现设常设窗口{permanent}个、代办窗口{proxy}个、综合窗口{comprehensive}个；\
             进驻行政许可事项{licensing}项、非行政许可审批事项{non_licensing}项，\
             承诺时限比法定时限共减少{cut}个工作日，办事环节减少{steps}个。\n\n\
             | 项目 | 数值 |\n|---|---|\n\
             | 受理办件 | {received} |\n| 即办件 | {immediate} |\n| 承诺件 | {committed} |\n\
             | 办结 | {completed} |\n| 按时办结 | {on_time} |\n| 按时办结率 | {rate} |\n\
             | 在办 | {open} |\n| 超期未办结 | {overdue} |\n| 不予受理 | {not_accepted} |\n| 撤回 | {withdrawn} |\n\
             | 常设窗口 | {permanent} |\n| 代办窗口 | {proxy} |\n| 综合窗口 | {comprehensive} |\n\
             | 行政许可事项 | {licensing} |\n| 非行政许可审批事项 | {non_licensing} |\n\
             | 减少工作日 | {cut} |\n| 减少办事环节 | {steps} |\n",
            year = self.year,
            from = self.from,
            through = self.through,
            month = self.through.month(),
            received = s.received,
            immediate = s.immediate,
            committed = s.committed,
            completed = s.completed,
            on_time = s.completed_on_time,
            rate = percent(s.on_time_rate),
            open = count(s.open),
            overdue = count(s.overdue_open),
            not_accepted = s.not_accepted,
            withdrawn = s.withdrawn,
            permanent = figure(&c.windows_by_kind, "permanent"),
            proxy = figure(&c.windows_by_kind, "proxy"),
            comprehensive = figure(&c.windows_by_kind, "comprehensive"),
            licensing = figure(&c.items_by_category, "licensing"),
            non_licensing = figure(&c.items_by_category, "non_licensing"),
            cut = c.days_cut,
            steps = c.steps_removed,
        )
    }

    /// The section as `metric,value` lines (UTF-8 with a byte-order mark, see [`crate::csv`]).
    pub fn csv(&self) -> String {
        let c = &self.catalogue;
        let s = &self.cases;
        let mut rows: Vec<(String, String)> = vec![
            ("year".into(), self.year.to_string()),
            ("from".into(), self.from.to_string()),
            ("through".into(), self.through.to_string()),
            ("received".into(), s.received.to_string()),
            ("immediate".into(), s.immediate.to_string()),
            ("committed".into(), s.committed.to_string()),
            ("completed".into(), s.completed.to_string()),
            ("completed_on_time".into(), s.completed_on_time.to_string()),
            (
                "on_time_rate".into(),
                s.on_time_rate.map(|r| r.to_string()).unwrap_or_default(),
            ),
            ("open".into(), count(s.open)),
            ("overdue_open".into(), count(s.overdue_open)),
            ("not_accepted".into(), s.not_accepted.to_string()),
            ("withdrawn".into(), s.withdrawn.to_string()),
        ];
        for (kind, n) in &c.windows_by_kind {
            rows.push((format!("windows_{kind}"), n.to_string()));
        }
        for (category, n) in &c.items_by_category {
            rows.push((format!("items_{category}"), n.to_string()));
        }
        rows.push(("days_cut".into(), c.days_cut.to_string()));
        rows.push(("steps_removed".into(), c.steps_removed.to_string()));
        let header = ("metric".to_owned(), "value".to_owned());
        crate::csv::write(std::iter::once(header).chain(rows).map(|(m, v)| [m, v]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_print_as_the_report_prints_them() {
        assert_eq!(percent(Some(1.0)), "100%");
        assert_eq!(percent(Some(0.98765)), "98.8%");
        assert_eq!(percent(Some(0.5)), "50%");
        assert_eq!(percent(None), "—");
    }
}
