//! Running store calls from async handlers: diesel and the pool block, so they go to the
//! blocking thread pool, never onto an actix worker.

use actix_web::web;
use tandem_store::{DbConnection, StoreError};

use crate::error::ApiError;
use crate::state::AppState;

/// Runs `f` with a pooled connection on a blocking thread.
pub async fn run<T, E, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Into<ApiError> + Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(|e| E::from(StoreError::from(e)))?;
        f(&mut conn)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(Into::into)
}
