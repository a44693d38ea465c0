//! The hall's calendars: the national one, one per region that has notices of its own, and
//! which of them each centre keeps (its division's, its nearest ancestor's, else national).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::{Division, WorkingCalendar, YearCalendar};
use crate::catalogue::Center;
use crate::ids::CenterId;

/// One year of a region's own notice: what it adds on top of the national notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionalYear {
    /// The province-level division, e.g. `640000`.
    pub region: Division,
    /// The year's extra holidays and make-up working days, and the notice they come from.
    #[serde(flatten)]
    pub calendar: YearCalendar,
}

/// Every calendar of the hall, ready for deadline arithmetic.
#[derive(Debug, Clone, Default)]
pub struct Calendars {
    national: Arc<WorkingCalendar>,
    regions: BTreeMap<Division, Arc<WorkingCalendar>>,
    centers: HashMap<CenterId, Option<Division>>,
}

impl Calendars {
    /// Builds the calendars from the national years, the regional years and the centres.
    pub fn new(
        national: Vec<YearCalendar>,
        regional: Vec<RegionalYear>,
        centers: &[Center],
    ) -> Self {
        let national = WorkingCalendar::new(national);
        let mut notices: BTreeMap<Division, Vec<YearCalendar>> = BTreeMap::new();
        for year in regional {
            notices
                .entry(year.region.region())
                .or_default()
                .push(year.calendar);
        }
        let regions = notices
            .iter()
            .map(|(region, years)| {
                (
                    region.clone(),
                    Arc::new(national.with_region(region, years)),
                )
            })
            .collect();
        Self {
            national: Arc::new(national),
            regions,
            centers: effective_divisions(centers),
        }
    }

    /// Only the national calendar: for tests and for a hall with no regional notices.
    pub fn national_only(national: WorkingCalendar) -> Self {
        Self {
            national: Arc::new(national),
            ..Self::default()
        }
    }

    /// The national calendar.
    pub fn national(&self) -> &WorkingCalendar {
        &self.national
    }

    /// The calendar a place in `division` keeps: its region's when the region has notices,
    /// the national one otherwise.
    pub fn for_division(&self, division: Option<&Division>) -> &WorkingCalendar {
        division
            .and_then(|d| self.regions.get(&d.region()))
            .unwrap_or(&self.national)
    }

    /// The calendar a centre keeps.
    pub fn for_center(&self, center: CenterId) -> &WorkingCalendar {
        self.for_division(self.division_of(center))
    }

    /// A centre's division in force: its own, else its nearest ancestor's; `None` when
    /// neither has one (the national calendar applies).
    pub fn division_of(&self, center: CenterId) -> Option<&Division> {
        self.centers.get(&center).and_then(Option::as_ref)
    }

    /// The regions with notices of their own.
    pub fn regions(&self) -> impl Iterator<Item = &Division> {
        self.regions.keys()
    }

    /// The centres grouped by the calendar they keep, for questions asked of many centres at
    /// once (which cases turn yellow by a date). A single group lists no centres: it is all.
    pub fn groups(&self) -> Vec<(&WorkingCalendar, Option<Vec<CenterId>>)> {
        let mut groups: BTreeMap<Option<&Division>, Vec<CenterId>> = BTreeMap::new();
        for (center, division) in &self.centers {
            let region = division
                .as_ref()
                .map(Division::region)
                .and_then(|r| self.regions.get_key_value(&r))
                .map(|(key, _)| key);
            groups.entry(region).or_default().push(*center);
        }
        if groups.len() <= 1 {
            let region = groups.keys().next().copied().flatten();
            return vec![(self.for_division(region), None)];
        }
        groups
            .into_iter()
            .map(|(region, mut centers)| {
                centers.sort();
                (self.for_division(region), Some(centers))
            })
            .collect()
    }
}

/// Each centre's own division, else its nearest ancestor's.
fn effective_divisions(centers: &[Center]) -> HashMap<CenterId, Option<Division>> {
    let by_id: HashMap<CenterId, &Center> = centers.iter().map(|c| (c.id, c)).collect();
    let mut found = HashMap::new();
    for center in centers {
        let mut current = Some(center);
        let mut division = None;
        // A loop in the tree is refused on write; the bound only keeps a bad row harmless.
        for _ in 0..=centers.len() {
            let Some(c) = current else { break };
            if let Some(own) = &c.division {
                division = Some(own.clone());
                break;
            }
            current = c.parent_id.and_then(|p| by_id.get(&p).copied());
        }
        found.insert(center.id, division);
    }
    found
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};

    use super::*;
    use crate::calendar::{Holiday, china};
    use crate::catalogue::CenterInput;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    fn center(code: &str, parent: Option<CenterId>, division: Option<&str>) -> Center {
        CenterInput {
            code: code.into(),
            name: code.into(),
            parent_id: parent,
            division: Some(division.map(|d| Division::parse(d).expect("valid"))),
        }
        .into_center(CenterId::new(), Utc::now())
    }

    fn ningxia_2020() -> RegionalYear {
        RegionalYear {
            region: Division::parse("640000").expect("valid"),
            calendar: YearCalendar {
                year: 2020,
                notice: "宁夏 2020".into(),
                holidays: vec![Holiday {
                    name: "开斋节".into(),
                    from: date("2020-05-25"),
                    to: date("2020-05-26"),
                }],
                working_days: vec![],
            },
        }
    }

    #[test]
    fn a_street_centre_keeps_its_district_halls_regional_calendar_and_beijing_the_national() {
        let xixia = center("640105", None, Some("640105"));
        let street = center("640105001", Some(xixia.id), None);
        let dongcheng = center("110101", None, Some("110101"));
        let nowhere = center("demo", None, None);
        let calendars = Calendars::new(
            china(),
            vec![ningxia_2020()],
            &[
                xixia.clone(),
                street.clone(),
                dongcheng.clone(),
                nowhere.clone(),
            ],
        );
        assert_eq!(
            calendars.division_of(street.id).map(Division::as_str),
            Some("640105")
        );
        assert_eq!(calendars.division_of(nowhere.id), None);
        let friday = date("2020-05-22");
        let in_ningxia = calendars.for_center(street.id).add_working_days(friday, 3);
        let in_beijing = calendars
            .for_center(dongcheng.id)
            .add_working_days(friday, 3);
        assert_eq!(in_ningxia, Ok(date("2020-05-29")));
        assert_eq!(in_beijing, Ok(date("2020-05-27")));
        assert_eq!(
            calendars.for_center(nowhere.id).add_working_days(friday, 3),
            in_beijing
        );
        let groups = calendars.groups();
        assert_eq!(groups.len(), 2);
        let mut expected = vec![xixia.id, street.id];
        expected.sort();
        assert_eq!(groups[1].1.as_deref(), Some(expected.as_slice()));
        assert_eq!(groups[0].1.as_ref().map(Vec::len), Some(2));
    }
}
