//! A small hall for the domain's own tests: one centre, a committed or immediate item, two
//! windows serving it, the shipped calendar.

use chrono::Utc;

use crate::calendar::{WorkingCalendar, china};
use crate::case::{Applicant, ApplicantKind, IdType};
use crate::catalogue::{
    Category, Center, CenterInput, Handling, ServiceItem, ServiceItemInput, Window, WindowInput,
    WindowKind,
};
use crate::ids::{CenterId, DepartmentId, ServiceItemId, WindowId};

pub(crate) struct Hall {
    pub(crate) center: Center,
    pub(crate) item: ServiceItem,
    pub(crate) window: Window,
    pub(crate) other_window: Window,
    pub(crate) calendar: WorkingCalendar,
}

pub(crate) fn hall(handling: Handling) -> Hall {
    let now = Utc::now();
    let center = CenterInput {
        code: "640105".into(),
        name: "西夏区".into(),
        parent_id: None,
        division: None,
    }
    .into_center(CenterId::new(), now);
    let item = ServiceItemInput {
        code: "MZ-001".into(),
        name: "结婚登记".into(),
        department_id: DepartmentId::new(),
        category: Category::Licensing,
        handling,
        statutory_days: 20,
        promised_days: if handling == Handling::Committed {
            5
        } else {
            0
        },
        conditions: String::new(),
        materials: vec![],
        procedure: vec![],
        steps_removed: 0,
        responsible_post: String::new(),
        fee: String::new(),
        fee_basis: String::new(),
        legal_basis: String::new(),
        rights_and_remedies: String::new(),
        contact: String::new(),
        complaint_channel: String::new(),
    }
    .into_item(ServiceItemId::new(), now);
    let window = |number| {
        WindowInput {
            center_id: center.id,
            number,
            name: "窗口".into(),
            kind: WindowKind::Permanent,
            item_ids: vec![item.id],
        }
        .into_window(WindowId::new(), now)
    };
    Hall {
        window: window(1),
        other_window: window(2),
        center: center.clone(),
        item,
        calendar: WorkingCalendar::new(china()),
    }
}

pub(crate) fn applicant() -> Applicant {
    Applicant {
        kind: ApplicantKind::Person,
        name: "张三".into(),
        id_type: IdType::ResidentId,
        id_number: "11010519491231002X".into(),
        phone: "13800138000".into(),
    }
}
