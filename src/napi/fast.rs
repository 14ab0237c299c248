//! The per-call hot paths, `limiterCheck`, `isBot` and `emailVerdict` (under `validateEmail`), as
//! raw N-API callbacks.
//!
//! napi-rs 3 wraps every generated function that takes arguments in a borrow-tracking scope that
//! costs more than the check itself (measured: ~190 ns for one number argument, against ~70 ns for
//! a call without arguments). These functions take only numbers and strings, borrow nothing,
//! and are called once per request, so they are registered by hand: read the arguments with plain
//! N-API calls (strings into a stack buffer), call the core, return a number or a boolean (or, for
//! `emailVerdict`, a short array when strings come with the number). Panics
//! are caught here, as everywhere else at the boundary.

use std::panic::catch_unwind;
use std::ptr;

use napi::sys;

use super::limiters;
use crate::bot::{Detector, MAX_UA_LEN};
use crate::email::{self, EmailType, Options, Reason};
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

/// Email syntax options as the small number `emailOptions` returns: one bit per switch, so that a
/// call with options reads one more number instead of converting an object.
pub(crate) fn email_options_bits(o: &Options) -> u32 {
    u32::from(o.require_top_level_domain)
        | u32::from(o.allow_domain_literal) << 1
        | u32::from(o.allow_quoted) << 2
        | u32::from(o.allow_utf8_local_part) << 3
}

fn email_options_from_bits(bits: u32) -> Options {
    Options {
        require_top_level_domain: bits & 1 != 0,
        allow_domain_literal: bits & 2 != 0,
        allow_quoted: bits & 4 != 0,
        allow_utf8_local_part: bits & 8 != 0,
    }
}

/// Bits of the number `emailVerdict` returns (the wrapper's `emailVerdict` reads them): bit 0
/// valid; bit `1 + i` for type `EmailType::ALL[i]`; bits 8..16 one plus the index of the reason
/// in `Reason::ALL` (0 when valid); `NORMALIZED_DIFFERS` and `SUGGESTION` say which strings
/// follow.
const VALID: u32 = 1;
const NORMALIZED_DIFFERS: u32 = 1 << 6;
const SUGGESTION: u32 = 1 << 7;
const REASON_SHIFT: u32 = 8;

/// The packed verdict for `address`, and the strings the number does not carry.
fn email_code(address: &str, opts: &Options) -> (u32, Option<String>, Option<String>) {
    let mut buf = email::DomainBuf::default();
    match email::classify(address, opts, &mut buf) {
        Ok(c) => {
            let mut code = VALID;
            for t in c.types() {
                code |= 2 << EmailType::ALL.iter().position(|&a| a == t).unwrap_or(0);
            }
            let normalized = (!c.normalized_is(address)).then(|| c.normalized());
            let suggestion = c.suggestion();
            code |= if normalized.is_some() {
                NORMALIZED_DIFFERS
            } else {
                0
            } | if suggestion.is_some() { SUGGESTION } else { 0 };
            (code, normalized, suggestion)
        }
        Err(reason) => {
            let index = Reason::ALL.iter().position(|&r| r == reason).unwrap_or(0);
            let code = 2
                << EmailType::ALL
                    .iter()
                    .position(|&a| a == EmailType::Invalid)
                    .unwrap_or(0)
                | (index as u32 + 1) << REASON_SHIFT;
            (code, None, None)
        }
    }
}

/// Reads a JS string into `units` (UTF-16, whole) and returns it as text: borrowed from `ascii`
/// when every unit is ASCII, which is nearly every address, otherwise decoded with each lone
/// surrogate as U+FFFD (what every string argument gets). A string longer than `units` is cut;
/// the buffers are sized so that a cut string is still longer than any valid address, and the
/// core rejects it as too long. `None` when `value` is not a string.
///
/// # Safety
/// `env` and `value` must be the live handles of the current callback.
unsafe fn read_text<'b>(
    env: sys::napi_env,
    value: sys::napi_value,
    units: &mut [u16],
    ascii: &'b mut [u8],
) -> Option<std::borrow::Cow<'b, str>> {
    let mut len = 0usize;
    // SAFETY: `units` is writable for its length; N-API writes at most len - 1 units and a NUL.
    let status = unsafe {
        sys::napi_get_value_string_utf16(env, value, units.as_mut_ptr(), units.len(), &raw mut len)
    };
    if status != sys::Status::napi_ok {
        return None;
    }
    let units = &units[..len];
    if units.iter().fold(0, |acc, &u| acc | u) < 0x80 {
        let out = &mut ascii[..len];
        for (b, &u) in out.iter_mut().zip(units) {
            *b = u as u8;
        }
        std::str::from_utf8(out)
            .ok()
            .map(std::borrow::Cow::Borrowed)
    } else {
        Some(std::borrow::Cow::Owned(String::from_utf16_lossy(units)))
    }
}

/// `emailVerdict(address, options?) -> number | [number, normalized?, suggestion?]`: the verdict
/// of `email::validate`, packed as described at [`VALID`]; an array only when the normalized
/// address differs from the input or there is a suggestion. `options` is a number from
/// `emailOptions`; anything else means the defaults. A non-string or a panic throws
/// `PALISADE_INTERNAL` rather than pass for a verdict.
unsafe extern "C" fn email_verdict(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: the handles come from N-API for this call.
    let [address, flags] = unsafe { args::<2>(env, info) };
    let mut bits = 0u32;
    // SAFETY: as above; a non-number (`undefined` when omitted) leaves the status not ok.
    let opts = if unsafe { sys::napi_get_value_uint32(env, flags, &raw mut bits) }
        == sys::Status::napi_ok
    {
        email_options_from_bits(bits)
    } else {
        Options::default()
    };
    // One unit more than the longest address, plus the NUL N-API writes.
    let mut units = [0u16; email::MAX_ADDRESS + 2];
    let mut ascii = [0u8; email::MAX_ADDRESS + 2];
    // SAFETY: as above.
    let verdict = match unsafe { read_text(env, address, &mut units, &mut ascii) } {
        Some(text) => catch_unwind(|| email_code(&text, &opts)).ok(),
        None => None,
    };
    let mut out = ptr::null_mut();
    // SAFETY (all calls below): live handles of this call; strings are passed with their lengths.
    match verdict {
        Some((code, None, None)) => unsafe {
            sys::napi_create_uint32(env, code, &raw mut out);
        },
        Some((code, normalized, suggestion)) => unsafe {
            sys::napi_create_array_with_length(env, 3, &raw mut out);
            let mut v = ptr::null_mut();
            sys::napi_create_uint32(env, code, &raw mut v);
            sys::napi_set_element(env, out, 0, v);
            for (i, s) in [(1, normalized), (2, suggestion)] {
                if let Some(s) = s {
                    sys::napi_create_string_utf8(
                        env,
                        s.as_ptr().cast(),
                        s.len().cast_signed(),
                        &raw mut v,
                    );
                    sys::napi_set_element(env, out, i, v);
                }
            }
        },
        // SAFETY: both strings are NUL-terminated; JS sees the exception and no return value.
        None => unsafe {
            sys::napi_throw_error(
                env,
                c"PALISADE_INTERNAL".as_ptr(),
                c"validateEmail: internal fault, or the address is not a string".as_ptr(),
            );
        },
    }
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

unsafe fn export_email_verdict(env: sys::napi_env) -> napi::Result<sys::napi_value> {
    // SAFETY: forwarded from napi-rs's registration.
    unsafe { create(env, c"emailVerdict", email_verdict) }
}

#[napi_derive::module_init]
fn register_fast_paths() {
    // napi-rs reads these names as NUL-terminated C strings.
    napi::bindgen_prelude::register_module_export(None, "limiterCheck\0", export_limiter_check);
    napi::bindgen_prelude::register_module_export(None, "isBot\0", export_is_bot);
    napi::bindgen_prelude::register_module_export(None, "emailVerdict\0", export_email_verdict);
}
