//! The two per-call hot paths, `limiterCheck` and `isBot`, as raw N-API callbacks.
//!
//! napi-rs 3 wraps every generated function that takes arguments in a borrow-tracking scope that
//! costs more than the check itself (measured: ~190 ns for one number argument, against ~70 ns for
//! a call without arguments). These two functions take only numbers and strings, borrow nothing,
//! and are called once per request, so they are registered by hand: read the arguments with plain
//! N-API calls (strings into a stack buffer), call the core, return a number or a boolean. Panics
//! are caught here, as everywhere else at the boundary.

use std::panic::catch_unwind;
use std::ptr;

use napi::sys;

use super::limiters;
use crate::bot::{Detector, MAX_UA_LEN};
use crate::ratelimit::key_hash;

/// Reads the string at `value` into `buf`. Returns the bytes written and the full length of the
/// string in UTF-8 bytes, or `None` when `value` is not a string.
///
/// # Safety
/// `env` and `value` must be the live handles of the current callback.
unsafe fn read_str(
    env: sys::napi_env,
    value: sys::napi_value,
    buf: &mut [u8],
) -> Option<(usize, usize)> {
    let mut written = 0usize;
    // SAFETY: `buf` is writable for its length; N-API writes at most len - 1 bytes and a NUL,
    // whole characters only.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &raw mut written,
        )
    };
    if status != sys::Status::napi_ok {
        return None;
    }
    let mut full = written;
    if written + 4 >= buf.len() {
        // SAFETY: a null buffer asks only for the length.
        let status = unsafe {
            sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &raw mut full)
        };
        if status != sys::Status::napi_ok {
            full = written;
        }
    }
    Some((written, full))
}

/// # Safety
/// Called by N-API with the handles of one call.
unsafe fn args<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> [sys::napi_value; N] {
    let mut argc = N;
    let mut values = [ptr::null_mut(); N];
    // SAFETY: `values` holds `argc` slots; missing arguments are filled with `undefined`.
    unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &raw mut argc,
            values.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    values
}

/// `limiterCheck(handle, key, requested) -> number`: the packed answer described on
/// `RateLimiter.check` in the wrapper (`±(remaining * 2^26 + reset + 1)`), 0 for a fault.
unsafe extern "C" fn limiter_check(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: the handles come from N-API for this call.
    let [h, key, req] = unsafe { args::<3>(env, info) };
    let mut handle = u32::MAX;
    let mut requested = 1u32;
    // SAFETY: as above; a non-number leaves the defaults in place.
    unsafe {
        sys::napi_get_value_uint32(env, h, &raw mut handle);
        sys::napi_get_value_uint32(env, req, &raw mut requested);
    }
    let mut buf = [0u8; 256];
    // SAFETY: as above.
    let read = unsafe { read_str(env, key, &mut buf) };
    let long: Option<Vec<u8>> = match read {
        Some((w, full)) if full > w => {
            let mut v = vec![0u8; full + 1];
            let mut written = 0usize;
            // SAFETY: `v` holds the whole string and its NUL.
            unsafe {
                sys::napi_get_value_string_utf8(
                    env,
                    key,
                    v.as_mut_ptr().cast(),
                    v.len(),
                    &raw mut written,
                )
            };
            v.truncate(written);
            Some(v)
        }
        _ => None,
    };
    let code = match read {
        None => 0.0,
        Some((w, _)) => {
            let bytes = long.as_deref().unwrap_or(&buf[..w]);
            catch_unwind(|| {
                let l = limiters()
                    .read()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let Some((table, clock)) = l.list.get(handle as usize) else {
                    return 0.0;
                };
                let o = table.check(key_hash([bytes]), requested, clock.now_ms());
                let reset = o.reset_ms.div_ceil(1000).min((1 << 26) - 1);
                let code = (u64::from(o.remaining.min((1 << 27) - 1)) << 26 | reset) as f64 + 1.0;
                if o.allowed {
                    code
                } else {
                    -code
                }
            })
            .unwrap_or(0.0)
        }
    };
    let mut out = ptr::null_mut();
    // SAFETY: creating a number cannot fail in a live callback; on failure JS sees `undefined`.
    unsafe { sys::napi_create_double(env, code, &raw mut out) };
    out
}

/// `isBot(userAgent) -> boolean`. A non-string is an empty UA.
unsafe extern "C" fn is_bot(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
    // SAFETY: the handles come from N-API for this call.
    let [ua] = unsafe { args::<1>(env, info) };
    let mut buf = [0u8; MAX_UA_LEN + 1];
    // SAFETY: as above.
    let (len, full) = unsafe { read_str(env, ua, &mut buf) }.unwrap_or((0, 0));
    let text = std::str::from_utf8(&buf[..len]).unwrap_or("");
    let verdict = catch_unwind(|| Detector::builtin().is_bot_len(text, full)).unwrap_or(false);
    let mut out = ptr::null_mut();
    // SAFETY: as above.
    unsafe { sys::napi_get_boolean(env, verdict, &raw mut out) };
    out
}

type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// Creates the JS function for one raw callback.
///
/// # Safety
/// Called by napi-rs during module registration with the live env.
unsafe fn create(
    env: sys::napi_env,
    name: &std::ffi::CStr,
    cb: Callback,
) -> napi::Result<sys::napi_value> {
    let mut f = ptr::null_mut();
    // SAFETY: `name` is NUL-terminated and its length is given; the callback has the N-API signature.
    let status = unsafe {
        sys::napi_create_function(
            env,
            name.as_ptr(),
            name.to_bytes().len().cast_signed(),
            Some(cb),
            ptr::null_mut(),
            &raw mut f,
        )
    };
    if status == sys::Status::napi_ok {
        Ok(f)
    } else {
        Err(napi::Error::from_reason(format!(
            "could not create {name:?}"
        )))
    }
}

unsafe fn export_limiter_check(env: sys::napi_env) -> napi::Result<sys::napi_value> {
    // SAFETY: forwarded from napi-rs's registration.
    unsafe { create(env, c"limiterCheck", limiter_check) }
}

unsafe fn export_is_bot(env: sys::napi_env) -> napi::Result<sys::napi_value> {
    // SAFETY: forwarded from napi-rs's registration.
    unsafe { create(env, c"isBot", is_bot) }
}

#[napi_derive::module_init]
fn register_fast_paths() {
    // napi-rs reads these names as NUL-terminated C strings.
    napi::bindgen_prelude::register_module_export(None, "limiterCheck\0", export_limiter_check);
    napi::bindgen_prelude::register_module_export(None, "isBot\0", export_is_bot);
}
