package geo

// Seconds is a travel or service time in whole seconds.
type Seconds int32

// Meters is a travel distance in whole metres.
type Meters int32
