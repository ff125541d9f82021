//! The LBS the SDK asks once per instance for the socket addresses (2.1).

use super::super::Face;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use unim_netease::error::code;

/// The query the SDK sends (`id`, `sv`, `pv`, `networkType`, `hostEnv` are ignored).
#[derive(Deserialize)]
pub(super) struct LbsQuery {
    /// The app key.
    k: Option<String>,
}

/// `GET /lbs/webconf.jsp?k=<appKey>&id=<accid>&...`: the face's own address
/// as both `common.link` and `common["link.default"]`. An unknown or missing
/// app key gets HTTP 200 with `{"code":414,"desc":"appkey"}` (the IM API's
/// answer to an unknown AppKey, 11.1) and no addresses; the SDK then falls
/// back to its `defaultLink`, where the login is refused with 302.
pub(super) async fn webconf(State(face): State<Arc<Face>>, Query(query): Query<LbsQuery>) -> Json<Value> {
    if query.k.as_deref() != Some(face.settings.app_key.as_str()) {
        tracing::debug!("netease lbs: unknown app key");
        return Json(json!({ "code": code::BAD_PARAM, "desc": "appkey" }));
    }
    let link = [face.link_addr.clone()];
    Json(json!({ "common": { "link": link, "link.default": link } }))
}
