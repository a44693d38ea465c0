//! Notice numbers (文号): the centre's short name, the kind's character, the year in 〔〕
//! and a five-digit sequence per centre, kind and year: `西夏受〔2012〕00012号`.

use super::NoticeKind;

/// What a centre's name is called in short, for its notices' numbers: the name without the
/// kind of centre (政务服务中心, 便民服务中心 …) and without the level of its division (区,
/// 县, 街道 …) when something is left before it: 西夏区政务服务中心 → 西夏.
pub fn short_name(center_name: &str) -> String {
    const CENTRES: [&str; 7] = [
        "政务服务中心",
        "市民服务中心",
        "便民服务中心",
        "为民服务中心",
        "行政服务中心",
        "服务中心",
        "中心",
    ];
    const LEVELS: [&str; 8] = ["街道", "社区", "区", "县", "市", "镇", "乡", "旗"];
    let name = center_name.trim();
    let mut short = CENTRES
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name);
    if let Some(rest) = LEVELS.iter().find_map(|level| short.strip_suffix(level))
        && rest.chars().count() >= 2
    {
        short = rest;
    }
    short.to_owned()
}

/// The number of the `seq`th notice of `kind` in `year` at the centre called `short` in short.
pub fn notice_number(short: &str, kind: NoticeKind, year: i32, seq: u32) -> String {
    format!("{short}{}〔{year}〕{seq:05}号", kind.mark())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_number_reads_as_the_hall_writes_it() {
        assert_eq!(
            notice_number("西夏", NoticeKind::Receipt, 2012, 12),
            "西夏受〔2012〕00012号"
        );
        assert_eq!(
            notice_number("西夏", NoticeKind::Refusal, 2012, 1),
            "西夏不受〔2012〕00001号"
        );
        assert_eq!(
            notice_number("贺兰", NoticeKind::Decision, 2013, 123_456),
            "贺兰决〔2013〕123456号"
        );
    }

    #[test]
    fn a_centres_short_name_drops_the_kind_of_centre_and_the_level_of_its_division() {
        assert_eq!(short_name("西夏区政务服务中心"), "西夏");
        assert_eq!(short_name("宁华路街道便民服务中心"), "宁华路");
        assert_eq!(short_name("镇北堡镇为民服务中心"), "镇北堡");
        // Nothing would be left of a one-character division: the level stays.
        assert_eq!(short_name("城区政务服务中心"), "城区");
        // A name that is only the kind of centre stays whole.
        assert_eq!(short_name("服务中心"), "服务中心");
        assert_eq!(short_name("Demo Hall"), "Demo Hall");
    }
}
