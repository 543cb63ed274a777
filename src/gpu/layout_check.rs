//! Test helper: a Rust uniform struct against its WGSL twin, parsed by naga.

use wgpu::naga;

/// Asserts that `T` and the WGSL struct `name` in `source` have the same size (a multiple of
/// 16) and `fields` consecutive 4-byte members at offsets 0, 4, 8, ...
pub fn assert_uniform_matches<T>(source: &str, name: &str, fields: usize) {
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("WGSL does not parse: {}", e.emit_to_string(source)));
    let (members, span) = module
        .types
        .iter()
        .find_map(|(_, ty)| match (&ty.name, &ty.inner) {
            (Some(n), naga::TypeInner::Struct { members, span }) if n == name => {
                Some((members.clone(), *span))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no struct {name} in the WGSL"));
    let size = std::mem::size_of::<T>();
    assert_eq!(size % 16, 0, "Rust size {size} is not a multiple of 16");
    assert_eq!(span as usize, size, "WGSL span {span} != Rust size {size}");
    assert_eq!(members.len(), fields, "member count");
    for (i, member) in members.iter().enumerate() {
        assert_eq!(member.offset as usize, 4 * i, "offset of {:?}", member.name);
    }
}
