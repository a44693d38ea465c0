//! The permission matrix of docs/DESIGN.md as one pure function: what each role may do, and
//! whether only at its own window.

use crate::user::Role;

/// Something a signed-in user may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Keep centres, departments, windows, items, users and the calendar.
    ManageCatalogue,
    /// Accept, refuse, supplement, complete, deliver or withdraw cases.
    HandleCases,
    /// Extend a case's deadline or transfer it to another window.
    ExtendOrTransfer,
    /// Read cases with the applicant's personal data.
    ReadCases,
    /// Read statistics, reports and warnings.
    ReadStatistics,
    /// Read the catalogue and use the calendar arithmetic.
    ReadCatalogue,
    /// Close the rectifications of poor ratings.
    Supervise,
}

/// How far a granted permission reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere.
    All,
    /// Only the cases and figures of the user's own window.
    OwnWindow,
}

impl Role {
    /// Whether the role may do `permission`, and where; `None` when it may not at all.
    pub fn may(self, permission: Permission) -> Option<Scope> {
        use Permission::*;
        match (self, permission) {
            (Role::Admin, _) => Some(Scope::All),
            (Role::Supervisor, ManageCatalogue) => None,
            (Role::Supervisor, _) => Some(Scope::All),
            (Role::Clerk, HandleCases | ReadCases | ReadStatistics) => Some(Scope::OwnWindow),
            (Role::Clerk, ReadCatalogue) => Some(Scope::All),
            (Role::Clerk, ManageCatalogue | ExtendOrTransfer | Supervise) => None,
            (Role::Analyst, ReadStatistics | ReadCatalogue) => Some(Scope::All),
            (Role::Analyst, _) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    #[test]
    fn the_matrix_of_the_design() {
        let all = Some(Scope::All);
        let own = Some(Scope::OwnWindow);
        let expected = [
            (ManageCatalogue, [all, None, None, None]),
            (HandleCases, [all, all, own, None]),
            (ExtendOrTransfer, [all, all, None, None]),
            (ReadCases, [all, all, own, None]),
            (ReadStatistics, [all, all, own, all]),
            (ReadCatalogue, [all, all, all, all]),
            (Supervise, [all, all, None, None]),
        ];
        for (permission, by_role) in expected {
            for (role, scope) in Role::ALL.into_iter().zip(by_role) {
                assert_eq!(role.may(permission), scope, "{role:?} {permission:?}");
            }
        }
    }
}
