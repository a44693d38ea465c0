//! The demo hall's catalogue, shaped like the Xixia district hall in 2012: the centres, 20
//! departments, 78 items (40 licensing, 38 non-licensing) whose promises cut 202 working
//! days and whose procedures are 15 steps shorter, and 20 windows (12 permanent, 7 proxy,
//! 1 comprehensive).

use chrono::{DateTime, Utc};
use domain::calendar::Division;
use domain::catalogue::{
    Category, Center, CenterInput, Department, DepartmentInput, Handling, Material, MaterialForm,
    ServiceItem, ServiceItemInput, Window, WindowInput, WindowKind,
};
use domain::ids::{CenterId, DepartmentId, ServiceItemId, WindowId};

/// The district hall's region code.
pub const REGION: &str = "640105";
/// Working days the promised limits cut from the statutory ones, in all.
pub const DAYS_CUT: u32 = 202;
/// Procedure steps the reform removed, in all.
pub const STEPS_REMOVED: u32 = 15;

const STREETS: [(&str, &str); 8] = [
    ("640105001", "朔方路街道便民服务中心"),
    ("640105002", "宁华路街道便民服务中心"),
    ("640105003", "贺兰山西路街道便民服务中心"),
    ("640105004", "文昌路街道便民服务中心"),
    ("640105005", "北京西路街道便民服务中心"),
    ("640105006", "怀远路街道便民服务中心"),
    ("640105100", "兴泾镇便民服务中心"),
    ("640105101", "镇北堡镇便民服务中心"),
];

const DEPARTMENTS: [&str; 20] = [
    "民政局",
    "人力资源和社会保障局",
    "卫生局",
    "人口和计划生育局",
    "住房和城乡建设局",
    "工商分局",
    "国税分局",
    "地税分局",
    "公安分局",
    "司法局",
    "教育局",
    "文化体育局",
    "农牧水务局",
    "环境保护局",
    "质量技术监督局",
    "食品药品监督管理局",
    "安全生产监督管理局",
    "城市管理局",
    "商务局",
    "残疾人联合会",
];

const ITEMS: [&str; 78] = [
    "内地居民婚姻登记",
    "社会团体成立登记",
    "民办非企业单位登记",
    "收养登记",
    "职业介绍机构设立许可",
    "劳务派遣单位设立许可",
    "就业失业登记",
    "社会保险登记",
    "医疗机构执业登记",
    "母婴保健技术服务许可",
    "公共场所卫生许可",
    "医师执业注册",
    "生育服务证办理",
    "流动人口婚育证明",
    "再生育审批",
    "独生子女父母光荣证",
    "建筑工程施工许可",
    "房屋租赁登记备案",
    "建设工程竣工验收备案",
    "物业服务企业资质核准",
    "个体工商户注册登记",
    "企业名称预先核准",
    "企业变更登记",
    "营业执照补发",
    "税务登记",
    "发票领购",
    "一般纳税人认定",
    "税收减免审批",
    "地方税务登记",
    "个人所得税完税证明",
    "契税征收",
    "营业税减免备案",
    "户口迁移",
    "居民身份证申领",
    "暂住证办理",
    "出入境证件受理",
    "法律援助申请",
    "人民调解",
    "基层法律服务所设立",
    "公证事项咨询",
    "民办学校设立审批",
    "教师资格认定",
    "学历证明",
    "中小学转学",
    "网吧经营许可",
    "营业性演出许可",
    "体育经营活动许可",
    "出版物零售许可",
    "取水许可",
    "林木采伐许可",
    "动物防疫条件合格证",
    "农药经营许可",
    "建设项目环境影响评价审批",
    "排污许可",
    "危险废物经营许可",
    "环保竣工验收",
    "组织机构代码登记",
    "计量器具检定",
    "工业产品生产许可",
    "特种设备使用登记",
    "食品流通许可",
    "药品经营许可",
    "餐饮服务许可",
    "保健食品经营备案",
    "安全生产许可",
    "危险化学品经营许可",
    "烟花爆竹经营许可",
    "安全评价备案",
    "城市道路占用许可",
    "户外广告设置许可",
    "建筑垃圾处置核准",
    "市政设施挖掘许可",
    "酒类商品零售许可",
    "再生资源回收备案",
    "对外贸易经营者备案",
    "成品油零售许可",
    "残疾人证办理",
    "残疾人就业补贴申请",
];

const STATUTORY: [u32; 8] = [20, 15, 30, 10, 45, 60, 20, 20];
const STEP_NAMES: [&str; 6] = ["受理", "审查", "核查", "决定", "制证", "送达"];

/// The demo's catalogue.
#[derive(Debug)]
pub struct Catalogue {
    /// The district hall, then the street and town centres beneath it.
    pub centers: Vec<Center>,
    /// The departments.
    pub departments: Vec<Department>,
    /// The items, in catalogue order.
    pub items: Vec<ServiceItem>,
    /// The windows, by number 1 to 20; 20 is the comprehensive window.
    pub windows: Vec<Window>,
}

/// Builds the catalogue; the same every time but for the ids.
pub fn catalogue(now: DateTime<Utc>) -> Catalogue {
    let hall = CenterInput {
        code: REGION.into(),
        name: "西夏区政务服务中心".into(),
        parent_id: None,
        // 银川市西夏区: the street centres beneath inherit it, and with it Ningxia's calendar.
        division: Some(Division::parse(REGION).ok()),
    }
    .into_center(CenterId::new(), now);
    let mut centers = vec![hall.clone()];
    centers.extend(STREETS.iter().map(|(code, name)| {
        CenterInput {
            code: (*code).into(),
            name: (*name).into(),
            parent_id: Some(hall.id),
            division: None,
        }
        .into_center(CenterId::new(), now)
    }));
    let departments: Vec<Department> = DEPARTMENTS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            DepartmentInput {
                code: format!("D{:02}", i + 1),
                name: (*name).into(),
            }
            .into_department(DepartmentId::new(), now)
        })
        .collect();

    // Immediate items cut their whole statutory limit (1 to 3 days); the committed ones share
    // what is left of the 202 days.
    let committed = |i: usize| i % 12 < 5;
    let immediate_cut: u32 = (0..ITEMS.len())
        .filter(|i| !committed(*i))
        .map(|i| 1 + (i % 3) as u32)
        .sum();
    let committed_count = (0..ITEMS.len()).filter(|i| committed(*i)).count() as u32;
    let rest = DAYS_CUT - immediate_cut;
    let mut nth_committed = 0;
    let items = ITEMS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (handling, statutory, promised) = if committed(i) {
                let statutory = STATUTORY[i % STATUTORY.len()];
                let cut =
                    rest / committed_count + u32::from(nth_committed < rest % committed_count);
                nth_committed += 1;
                (Handling::Committed, statutory, statutory - cut)
            } else {
                let statutory = 1 + (i % 3) as u32;
                (Handling::Immediate, statutory, 0)
            };
            let department = &departments[i % departments.len()];
            ServiceItemInput {
                code: format!("XX-{:03}", i + 1),
                name: (*name).into(),
                department_id: department.id,
                category: if i < 40 {
                    Category::Licensing
                } else {
                    Category::NonLicensing
                },
                handling,
                statutory_days: statutory,
                promised_days: promised,
                conditions: format!("符合《{name}》办事指南所列条件的申请人"),
                materials: demo_materials(i),
                procedure: STEP_NAMES[..3 + i % 3]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                steps_removed: u32::from(i % 5 == 1 && i < 75),
                responsible_post: format!("{}窗口", department.name),
                fee: "不收费".into(),
                fee_basis: String::new(),
                legal_basis: format!("{}职权依据", department.name),
                rights_and_remedies: "对决定不服的，可依法申请行政复议或提起行政诉讼".into(),
                contact: "0951-2021234".into(),
                complaint_channel: "大厅电子监察室；12345 政务服务热线".into(),
            }
            .into_item(ServiceItemId::new(), now)
        })
        .collect::<Vec<_>>();

    let serving = |departments_served: &[usize]| -> Vec<ServiceItemId> {
        items
            .iter()
            .enumerate()
            .filter(|(i, _)| departments_served.contains(&(i % DEPARTMENTS.len())))
            .map(|(_, item)| item.id)
            .collect()
    };
    let mut windows = Vec::with_capacity(20);
    for (d, department) in DEPARTMENTS.iter().enumerate().take(12) {
        let number = d as u32 + 1;
        windows.push(window(
            &hall,
            number,
            &format!("{department}窗口"),
            WindowKind::Permanent,
            serving(&[d]),
            now,
        ));
    }
    for j in 0..7 {
        let served: Vec<usize> = if j == 6 { vec![18, 19] } else { vec![12 + j] };
        let name = format!(
            "代办窗口（{}）",
            served
                .iter()
                .map(|d| DEPARTMENTS[*d])
                .collect::<Vec<_>>()
                .join("、")
        );
        windows.push(window(
            &hall,
            13 + j as u32,
            &name,
            WindowKind::Proxy,
            serving(&served),
            now,
        ));
    }
    let everything = items.iter().map(|item| item.id).collect();
    windows.push(window(
        &hall,
        20,
        "综合窗口",
        WindowKind::Comprehensive,
        everything,
        now,
    ));
    Catalogue {
        centers,
        departments,
        items,
        windows,
    }
}

fn window(
    hall: &Center,
    number: u32,
    name: &str,
    kind: WindowKind,
    item_ids: Vec<ServiceItemId>,
    now: DateTime<Utc>,
) -> Window {
    WindowInput {
        center_id: hall.id,
        number,
        name: name.into(),
        kind,
        item_ids,
    }
    .into_window(WindowId::new(), now)
}

/// The demo guides' materials: every item asks for its form and the applicant's identity
/// document (original shown, a copy kept); a licensing item also for its qualification
/// papers, which may follow within days (容缺); every third item takes a power of attorney
/// when someone applies on the applicant's behalf, and every fourth two photographs, both
/// optional.
fn demo_materials(i: usize) -> Vec<Material> {
    let mut materials = vec![
        Material::named("申请表"),
        Material {
            form: MaterialForm::OriginalAndCopy,
            ..Material::named("申请人有效身份证件")
        },
    ];
    if i < 40 {
        materials.push(Material {
            form: MaterialForm::Copy,
            deferrable: true,
            ..Material::named("相关资质证明材料")
        });
    }
    if i.is_multiple_of(3) {
        materials.push(Material {
            required: false,
            ..Material::named("授权委托书及受托人身份证件")
        });
    }
    if i % 4 == 1 {
        materials.push(Material {
            copies: 2,
            required: false,
            ..Material::named("近期一寸免冠照片")
        });
    }
    materials
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::report::catalogue_figures;

    #[test]
    fn the_catalogue_matches_the_2012_report() {
        let catalogue = catalogue(Utc::now());
        let figures = catalogue_figures(&catalogue.items, &catalogue.windows);
        assert_eq!(figures.items_by_category["licensing"], 40);
        assert_eq!(figures.items_by_category["non_licensing"], 38);
        assert_eq!(figures.days_cut, DAYS_CUT);
        assert_eq!(figures.steps_removed, STEPS_REMOVED);
        assert_eq!(figures.windows_by_kind["permanent"], 12);
        assert_eq!(figures.windows_by_kind["proxy"], 7);
        assert_eq!(figures.windows_by_kind["comprehensive"], 1);
        assert_eq!(catalogue.centers.len(), 9);
        for item in &catalogue.items {
            let input_valid = item.promised_days <= item.statutory_days
                && (item.handling == Handling::Immediate) == (item.promised_days == 0);
            assert!(input_valid, "{}", item.name);
            assert!(
                catalogue
                    .windows
                    .iter()
                    .filter(|w| w.serves(item.id))
                    .count()
                    >= 2,
                "{} has a window",
                item.name
            );
        }
    }
}
