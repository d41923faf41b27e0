print("diffwave")
