package webhook

import (
	"bytes"
	"encoding/json"
	"time"
)

// Time is a time the server sent. It embeds time.Time; null, "" and values that are not
// RFC 3339 decode as the zero time rather than fail the whole event.
type Time struct{ time.Time }

// UnmarshalJSON accepts an RFC 3339 string and tolerates anything else as zero.
func (t *Time) UnmarshalJSON(b []byte) error {
	t.Time = time.Time{}
	var s string
	if bytes.Equal(b, []byte("null")) || json.Unmarshal(b, &s) != nil {
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t.Time = v
	}
	return nil
}

// MarshalJSON writes RFC 3339, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(time.RFC3339Nano) + `"`), nil
}

// Activation is the data of an activation event, with every field of the reference page's
// example. Nested objects are pointers, nil when absent or null.
type Activation struct {
	ID              string           `json:"id"`
	CreatedAt       Time             `json:"createdAt"`
	UpdatedAt       Time             `json:"updatedAt"`
	OS              string           `json:"os"`
	OSVersion       string           `json:"osVersion"`
	Hostname        string           `json:"hostname"`
	Location        *Location        `json:"location"`
	VMName          string           `json:"vmName"`
	Container       bool             `json:"container"`
	AppVersion      string           `json:"appVersion"`
	ReleaseVersion  string           `json:"releaseVersion"`
	ReleaseChannel  string           `json:"releaseChannel"`
	ReleasePlatform string           `json:"releasePlatform"`
	Offline         bool             `json:"offline"`
	ProductID       string           `json:"productId"`
	ExpiresAt       Time             `json:"expiresAt"`
	LicenseID       string           `json:"licenseId"`
	LastSyncedAt    Time             `json:"lastSyncedAt"`
	MeterAttributes []MeterAttribute `json:"meterAttributes"`
	LeaseExpiresAt  Time             `json:"leaseExpiresAt"`
	Organization    *Organization    `json:"organization"`
	UserID          string           `json:"userId"`
	User            *User            `json:"user"`
	Metadata        []Metadata       `json:"metadata"`
}

// Location is where the activation was made from, as the server geolocated it.
type Location struct {
	IPAddress   string  `json:"ipAddress"`
	CountryCode string  `json:"countryCode"`
	CountryName string  `json:"countryName"`
	RegionCode  string  `json:"regionCode"`
	RegionName  string  `json:"regionName"`
	City        string  `json:"city"`
	ZipCode     string  `json:"zipCode"`
	TimeZone    string  `json:"timeZone"`
	Latitude    float64 `json:"latitude"`
	Longitude   float64 `json:"longitude"`
}

// MeterAttribute is a meter's uses by the activation.
type MeterAttribute struct {
	Name string `json:"name"`
	Uses int64  `json:"uses"`
}

// Metadata is a key/value pair stored on the server.
type Metadata struct {
	ID              string   `json:"id"`
	CreatedAt       Time     `json:"createdAt"`
	UpdatedAt       Time     `json:"updatedAt"`
	Key             string   `json:"key"`
	Value           string   `json:"value"`
	ViewPermissions []string `json:"viewPermissions"`
	Visible         bool     `json:"visible"`
}

// Address is a postal address.
type Address struct {
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2"`
	City         string `json:"city"`
	State        string `json:"state"`
	Country      string `json:"country"`
	PostalCode   string `json:"postalCode"`
}

// Reseller sells licenses on the vendor's behalf.
type Reseller struct {
	ID                   string `json:"id"`
	CreatedAt            Time   `json:"createdAt"`
	UpdatedAt            Time   `json:"updatedAt"`
	Name                 string `json:"name"`
	Email                string `json:"email"`
	Description          string `json:"description"`
	AllowedUsers         int64  `json:"allowedUsers"`
	AllowedOrganizations int64  `json:"allowedOrganizations"`
}

// Organization is a customer organisation.
type Organization struct {
	ID           string    `json:"id"`
	CreatedAt    Time      `json:"createdAt"`
	UpdatedAt    Time      `json:"updatedAt"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	Description  string    `json:"description"`
	AllowedUsers int64     `json:"allowedUsers"`
	Address      *Address  `json:"address"`
	ResellerID   string    `json:"resellerId"`
	Reseller     *Reseller `json:"reseller"`
}

// User is the user an activation belongs to.
type User struct {
	ID                        string           `json:"id"`
	CreatedAt                 Time             `json:"createdAt"`
	UpdatedAt                 Time             `json:"updatedAt"`
	Name                      string           `json:"name"`
	FirstName                 string           `json:"firstName"`
	LastName                  string           `json:"lastName"`
	Email                     string           `json:"email"`
	Role                      string           `json:"role"`
	TwoFactorEnabled          bool             `json:"twoFactorEnabled"`
	GoogleSsoEnabled          bool             `json:"googleSsoEnabled"`
	LastLoginAt               Time             `json:"lastLoginAt"`
	Company                   string           `json:"company"`
	AllowCustomerPortalAccess bool             `json:"allowCustomerPortalAccess"`
	Roles                     []string         `json:"roles"`
	LastSeenAt                Time             `json:"lastSeenAt"`
	OrganizationID            string           `json:"organizationId"`
	Organization              *Organization    `json:"organization"`
	ResellerID                string           `json:"resellerId"`
	Reseller                  *Reseller        `json:"reseller"`
	Metadata                  []Metadata       `json:"metadata"`
	Tags                      []string         `json:"tags"`
	EmailPreference           *EmailPreference `json:"emailPreference"`
}

// EmailPreference says which e-mails a user receives.
type EmailPreference struct {
	Metrics bool `json:"metrics"`
}
