//! The `Sforce-Limit-Info` response header, which Salesforce sends on every REST answer and which
//! is the only running count of the org's daily API requests a client gets for free.

use std::str::FromStr;

/// The header's name.
pub const HEADER: &str = "Sforce-Limit-Info";

/// Daily API requests used and allowed, from `api-usage=USED/LIMIT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub limit: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Sforce-Limit-Info header has no api-usage=USED/LIMIT part: {0:?}")]
pub struct BadLimitInfo(pub String);

impl ApiUsage {
    /// The used share of the daily limit, from 0.0 upwards (it can pass 1.0 briefly).
    pub fn share(&self) -> f64 {
        if self.limit == 0 {
            return 1.0;
        }
        self.used as f64 / self.limit as f64
    }
}

impl FromStr for ApiUsage {
    type Err = BadLimitInfo;

    /// Parses the header value; other `name=value` parts (Salesforce has sent `per-app-api-usage`
    /// beside it) are skipped.
    fn from_str(header: &str) -> Result<Self, Self::Err> {
        header
            .split(',')
            .filter_map(|part| part.trim().strip_prefix("api-usage="))
            .find_map(|v| {
                let (used, limit) = v.split_once('/')?;
                Some(ApiUsage {
                    used: used.trim().parse().ok()?,
                    limit: limit.trim().parse().ok()?,
                })
            })
            .ok_or_else(|| BadLimitInfo(header.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_the_documented_shape() {
        let u: ApiUsage = "api-usage=25/15000".parse().unwrap();
        assert_eq!(
            u,
            ApiUsage {
                used: 25,
                limit: 15000
            }
        );
        assert!((u.share() - 25.0 / 15000.0).abs() < 1e-12);
    }

    #[test]
    fn skips_other_parts() {
        let u: ApiUsage = "per-app-api-usage=2/250(appName=x), api-usage=18/5000"
            .parse()
            .unwrap();
        assert_eq!(
            u,
            ApiUsage {
                used: 18,
                limit: 5000
            }
        );
    }

    #[test]
    fn rejects_garbage_naming_it() {
        let e = "api-usage=lots".parse::<ApiUsage>().unwrap_err();
        assert!(e.to_string().contains("lots"));
    }
}
