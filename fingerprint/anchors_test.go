package fingerprint

// visible is m without the fields a caller cannot see (the id's fingerprint, the anchor key and
// the anchors), which a replayed capture does not carry.
func visible(m Machine) Machine {
	m.base, m.anchorKey, m.anchors = "", "", ""
	return m
}
